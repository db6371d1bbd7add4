package dev.otpgate.support;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ClientCredentialsOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.web.client.RestClient;

/**
 * A caller that gets its access tokens as an application would: Spring Security's OAuth 2.0 client
 * ({@link AuthorizedClientServiceOAuth2AuthorizedClientManager} with the client credentials provider) against
 * otpgate's {@code /oauth2/token}, over HTTPS trusting only the server's generated CA.
 */
public final class OAuthTestClient {

    private static final String REGISTRATION = "otpgate";
    private final AuthorizedClientServiceOAuth2AuthorizedClientManager manager;

    public OAuthTestClient(String baseUrl, Path caCertificate, String clientId, String clientSecret,
            ClientAuthenticationMethod method, String... scopes) {
        HttpClient http = HttpClient.newBuilder().sslContext(ApiClient.trusting(caCertificate))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        RestClient tokenHttp = RestClient.builder()
                .requestFactory(new JdkClientHttpRequestFactory(http))
                .configureMessageConverters(converters -> converters.disableDefaults()
                        .addCustomConverter(new FormHttpMessageConverter())
                        .addCustomConverter(new OAuth2AccessTokenResponseHttpMessageConverter()))
                .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler())
                .build();
        RestClientClientCredentialsTokenResponseClient responses = new RestClientClientCredentialsTokenResponseClient();
        responses.setRestClient(tokenHttp);
        ClientCredentialsOAuth2AuthorizedClientProvider provider = new ClientCredentialsOAuth2AuthorizedClientProvider();
        provider.setAccessTokenResponseClient(responses);
        ClientRegistration.Builder registration = ClientRegistration.withRegistrationId(REGISTRATION)
                .clientId(clientId).clientSecret(clientSecret)
                .clientAuthenticationMethod(method)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .tokenUri(baseUrl + "/oauth2/token");
        if (scopes.length > 0) {
            registration.scope(scopes);
        }
        InMemoryClientRegistrationRepository registrations = new InMemoryClientRegistrationRepository(registration.build());
        manager = new AuthorizedClientServiceOAuth2AuthorizedClientManager(registrations,
                new InMemoryOAuth2AuthorizedClientService(registrations));
        manager.setAuthorizedClientProvider(provider);
    }

    /** The current access token, fetched from the token endpoint when the client has none or it has expired. */
    public OAuth2AuthorizedClient authorize() {
        return manager.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(REGISTRATION).principal("test").build());
    }

    public String accessToken() {
        return authorize().getAccessToken().getTokenValue();
    }
}
