package dev.otpgate.simswap;

import dev.otpgate.delivery.provider.ProviderHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import org.springframework.boot.ssl.SslBundles;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.ClientCredentialsOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.endpoint.RestClientClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.util.StringUtils;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls the CAMARA SIM Swap API ({@code POST /sim-swap/v2/check}) with an OAuth 2.0 client-credentials token.
 * Spring Security's OAuth 2.0 client obtains the token and keeps it in memory until shortly before it expires
 * ({@link #TOKEN_SKEW}); an answer of 401 drops the token and the check is tried once more with a new one.
 * Every answer other than a well-formed {@code {"swapped": true|false}} is an error (S-08), never a "no".
 *
 * <p>It does not decide what an error means for a verification; {@link SimSwapGate} applies the app's setting.
 */
final class CamaraSimSwapClient {

    static final Duration TOKEN_SKEW = Duration.ofSeconds(30);

    private static final String REGISTRATION_ID = "camara-sim-swap";
    private static final String PRINCIPAL = "otpgate";
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.\\-]{1,80}");

    private final RestClient api;
    private final OAuth2AuthorizedClientService tokenStore;
    private final AuthorizedClientServiceOAuth2AuthorizedClientManager tokens;
    // Strict reading (S-08): a repeated key or content after the object makes the answer an error, so that
    // {"swapped": true, "swapped": false} cannot be read as either.
    private final JsonMapper json = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    CamaraSimSwapClient(SimSwapProperties properties, boolean production, Clock clock) {
        this(properties, production, clock, null);
    }

    /** @param bundles the SSL bundles {@code otpgate.sim-swap.ssl-bundle} names; {@code null}: none defined */
    CamaraSimSwapClient(SimSwapProperties properties, boolean production, Clock clock, SslBundles bundles) {
        properties.validate(production);
        SSLContext trust = ProviderHttp.sslContext(bundles, "otpgate.sim-swap.ssl-bundle", properties.sslBundle());
        this.api = ProviderHttp.client("sim-swap", properties.baseUrl(), properties.connectTimeout(),
                properties.readTimeout(), properties.insecureHttp(), production, trust);
        RestClient tokenHttp = ProviderHttp.client("sim-swap", properties.tokenUrl(), properties.connectTimeout(),
                        properties.readTimeout(), properties.insecureHttp(), production, trust)
                .mutate()
                // What Spring Security's own token client uses: a form out, an OAuth 2.0 token response in.
                .configureMessageConverters(converters -> converters.disableDefaults()
                        .addCustomConverter(new FormHttpMessageConverter())
                        .addCustomConverter(new OAuth2AccessTokenResponseHttpMessageConverter()))
                .defaultStatusHandler(new OAuth2ErrorResponseErrorHandler())
                .build();
        RestClientClientCredentialsTokenResponseClient responses = new RestClientClientCredentialsTokenResponseClient();
        responses.setRestClient(tokenHttp);
        ClientCredentialsOAuth2AuthorizedClientProvider provider = new ClientCredentialsOAuth2AuthorizedClientProvider();
        provider.setAccessTokenResponseClient(responses);
        provider.setClock(clock);
        provider.setClockSkew(TOKEN_SKEW);

        ClientRegistration.Builder registration = ClientRegistration.withRegistrationId(REGISTRATION_ID)
                .clientId(properties.clientId())
                .clientSecret(properties.clientSecret())
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .tokenUri(properties.tokenUrl().toString());
        if (StringUtils.hasText(properties.scope())) {
            registration.scope(StringUtils.tokenizeToStringArray(properties.scope(), " ,"));
        }
        InMemoryClientRegistrationRepository registrations = new InMemoryClientRegistrationRepository(registration.build());
        this.tokenStore = new InMemoryOAuth2AuthorizedClientService(registrations);
        this.tokens = new AuthorizedClientServiceOAuth2AuthorizedClientManager(registrations, tokenStore);
        this.tokens.setAuthorizedClientProvider(provider);
    }

    /**
     * @param phoneNumber E.164, sent to the API and nowhere else
     * @param maxAgeHours CAMARA {@code maxAge}: a swap within this many hours counts
     * @return whether the SIM was swapped within {@code maxAgeHours}
     * @throws SimSwapCheckException when the API, the token endpoint or the network fails, or the answer is
     *         not a well-formed CAMARA answer
     */
    boolean swapped(String phoneNumber, int maxAgeHours) throws SimSwapCheckException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("phoneNumber", phoneNumber);
        request.put("maxAge", maxAgeHours);
        byte[] body = json.writeValueAsBytes(request);
        Answer answer = post(body, token());
        if (answer.status() == 401) {
            // An expired or revoked token the API no longer accepts: one new token, one more try.
            tokenStore.removeAuthorizedClient(REGISTRATION_ID, PRINCIPAL);
            answer = post(body, token());
        }
        if (answer.status() != 200) {
            throw new SimSwapCheckException("SIM Swap API answered " + answer.status() + errorCode(answer.body()));
        }
        return swappedFrom(answer.body());
    }

    private String token() throws SimSwapCheckException {
        try {
            OAuth2AuthorizedClient client = tokens.authorize(
                    OAuth2AuthorizeRequest.withClientRegistrationId(REGISTRATION_ID).principal(PRINCIPAL).build());
            if (client == null) {
                throw new SimSwapCheckException("token endpoint gave no token");
            }
            return client.getAccessToken().getTokenValue();
        } catch (OAuth2AuthorizationException e) {
            // A status, an I/O failure or the OAuth error code only: the exception's description quotes the
            // token endpoint's answer, which is not ours to log.
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof RestClientResponseException response) {
                    throw new SimSwapCheckException("token request failed (" + response.getStatusCode().value() + ")");
                }
                if (cause instanceof ResourceAccessException io) {
                    throw new SimSwapCheckException("token request failed (" + failure(io) + ")");
                }
            }
            throw new SimSwapCheckException("token request failed (" + e.getError().getErrorCode() + ")");
        } catch (RestClientException e) {
            throw new SimSwapCheckException("token request failed (" + failure(e) + ")");
        }
    }

    private Answer post(byte[] body, String token) throws SimSwapCheckException {
        try {
            return api.post()
                    .uri("/sim-swap/v2/check")
                    .contentType(MediaType.APPLICATION_JSON)
                    .accept(MediaType.APPLICATION_JSON)
                    .headers(headers -> headers.setBearerAuth(token))
                    .contentLength(body.length)
                    // Streamed, not through a message converter: the converters' debug log shows what they
                    // write, and this body holds the number (S-45).
                    .body(out -> out.write(body))
                    .exchange((request, response) -> new Answer(response.getStatusCode().value(), read(response.getBody())));
        } catch (RestClientException e) {
            throw new SimSwapCheckException("SIM Swap API call failed (" + failure(e) + ")");
        }
    }

    private static String read(InputStream in) throws IOException {
        return in == null ? "" : new String(in.readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8);
    }

    private boolean swappedFrom(String body) throws SimSwapCheckException {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            throw new SimSwapCheckException("SIM Swap API answered 200 with a body that is not JSON");
        }
        JsonNode swapped = node == null || !node.isObject() ? null : node.get("swapped");
        if (swapped == null || !swapped.isBoolean()) {
            throw new SimSwapCheckException("SIM Swap API answered 200 without a boolean \"swapped\"");
        }
        return swapped.booleanValue();
    }

    /** The CAMARA error code of an error body ({@code {"status", "code", "message"}}), if it has a plain one. */
    private String errorCode(String body) {
        try {
            JsonNode node = json.readTree(body);
            JsonNode code = node == null ? null : node.get("code");
            if (code != null && code.isString() && ERROR_CODE.matcher(code.stringValue()).matches()) {
                return " " + code.stringValue();
            }
        } catch (JacksonException e) {
            // Not a CAMARA error body; the status says enough.
        }
        return "";
    }

    private static String failure(RestClientException e) {
        if (e instanceof ResourceAccessException) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof HttpTimeoutException) {
                    return "timeout";
                }
            }
            Throwable cause = e.getCause();
            return "I/O: " + (cause == null ? "unknown" : cause.getClass().getSimpleName());
        }
        return e.getClass().getSimpleName();
    }

    private record Answer(int status, String body) {}
}
