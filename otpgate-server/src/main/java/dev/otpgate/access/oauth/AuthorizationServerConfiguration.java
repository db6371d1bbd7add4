package dev.otpgate.access.oauth;

import dev.otpgate.access.ForwardedSchemeFilter;
import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.platform.JwtKeySet;
import dev.otpgate.platform.KeyRing;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.platform.ProblemWriter;
import dev.otpgate.platform.RequestBodyLimitFilter;
import dev.otpgate.platform.SecurityHeaders;
import dev.otpgate.ratelimit.ClientAddresses;
import dev.otpgate.ratelimit.RateLimiter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.http.converter.OAuth2ErrorHttpMessageConverter;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtGenerator;
import org.springframework.security.oauth2.server.authorization.web.authentication.ClientSecretBasicAuthenticationConverter;
import org.springframework.security.oauth2.server.authorization.web.authentication.ClientSecretPostAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.preauth.AbstractPreAuthenticatedProcessingFilter;
import org.springframework.security.web.header.HeaderWriterFilter;
import org.springframework.security.web.session.DisableEncodeUrlFilter;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;

/**
 * Spring Authorization Server, reduced to what otpgate offers (S-25): {@code POST /oauth2/token} with the client
 * credentials grant and {@code client_secret_basic} or {@code client_secret_post}, {@code GET /oauth2/jwks} and
 * {@code GET /.well-known/oauth-authorization-server}. No other grant, no introspection or revocation, no OpenID
 * Connect: their paths are outside this chain, so the API chain denies them. Errors on the token endpoint are
 * RFC 6749 error responses, as the library writes them. Access tokens are RS256 JWTs signed by the primary key of
 * {@link JwtKeySet}; nothing about an issued token is stored.
 */
@Configuration(proxyBeanMethods = false)
class AuthorizationServerConfiguration {

    static final String TOKEN_PATH = "/oauth2/token";
    static final String JWKS_PATH = "/oauth2/jwks";
    static final String METADATA_PATH = "/.well-known/oauth-authorization-server";
    private static final OAuth2ErrorHttpMessageConverter ERRORS = new OAuth2ErrorHttpMessageConverter();

    @Bean
    AuthorizationServerSettings authorizationServerSettings(IssuerSettings issuer) {
        AuthorizationServerSettings.Builder settings = AuthorizationServerSettings.builder()
                .tokenEndpoint(TOKEN_PATH).jwkSetEndpoint(JWKS_PATH);
        issuer.configured().ifPresent(settings::issuer);
        return settings.build();
    }

    @Bean
    @Order(0)
    SecurityFilterChain authorizationServerFilterChain(HttpSecurity http, ClientRegistrations clients,
            OAuthClientRepository repository, AuthorizationServerSettings settings, JwtKeySet keys,
            OAuthProperties oauth, OtpgateProperties properties, ProblemWriter problems, RateLimiter limiter,
            ClientAddresses addresses, KeyRing keyRing, AuditTrail audit, Clock clock) throws Exception {
        NimbusJwtEncoder encoder = new NimbusJwtEncoder(keys);
        // Several keys are published after a rotation; only the primary signs.
        encoder.setJwkSelector(candidates -> candidates.stream()
                .filter(key -> key.getKeyID().equals(keys.signingKeyId())).findFirst()
                .orElseThrow(() -> new IllegalStateException("the primary JWT signing key is not published")));
        JwtGenerator tokens = new JwtGenerator(encoder);
        tokens.setJwtCustomizer(new AccessTokenClaims(oauth.audience()));
        tokens.setClock(clock);

        // Behind a TLS-terminating proxy the issuer derived from a request must say https here as it does on the
        // API chain, where the token comes back; and HSTS goes on every answer (S-37).
        boolean behindProxy = properties.tls().behindProxy();
        if (behindProxy) {
            // First of all: the library resolves the issuer right after the security context is set up.
            http.addFilterBefore(new ForwardedSchemeFilter(addresses), DisableEncodeUrlFilter.class);
        }
        OAuth2AuthorizationServerConfigurer server = new OAuth2AuthorizationServerConfigurer();
        http.securityMatcher(TOKEN_PATH, JWKS_PATH, METADATA_PATH)
                .with(server, authorizationServer -> authorizationServer
                        .registeredClientRepository(clients)
                        .authorizationService(new StatelessAuthorizations())
                        .authorizationServerSettings(settings)
                        .tokenGenerator(tokens)
                        .clientAuthentication(clientAuthentication -> clientAuthentication
                                .authenticationConverters(converters -> converters.removeIf(converter ->
                                        !(converter instanceof ClientSecretBasicAuthenticationConverter)
                                                && !(converter instanceof ClientSecretPostAuthenticationConverter)))
                                .authenticationProviders(providers -> {
                                    providers.clear();
                                    providers.add(new ClientSecretCheck(repository, clock));
                                })
                                .errorResponseHandler((request, response, failure) -> clientAuthenticationFailed(
                                        request, response, failure, audit, addresses)))
                        .tokenEndpoint(token -> token.accessTokenRequestConverters(converters -> {
                            converters.clear();
                            converters.add(new DefaultScopes());
                        }))
                        .authorizationServerMetadataEndpoint(metadata -> metadata.authorizationServerMetadataCustomizer(
                                builder -> builder.claims(claims -> {
                                    // Only what is served; the library insists on an authorization endpoint.
                                    claims.keySet().removeIf(name -> name.startsWith("introspection_")
                                            || name.startsWith("revocation_") || name.startsWith("device_")
                                            || name.startsWith("pushed_") || name.startsWith("registration_")
                                            || name.startsWith("code_challenge") || name.startsWith("tls_")
                                            || name.startsWith("dpop_") || name.startsWith("require_"));
                                    claims.put("grant_types_supported", List.of(AuthorizationGrantType.CLIENT_CREDENTIALS.getValue()));
                                    claims.put("token_endpoint_auth_methods_supported", List.of(
                                            ClientAuthenticationMethod.CLIENT_SECRET_BASIC.getValue(),
                                            ClientAuthenticationMethod.CLIENT_SECRET_POST.getValue()));
                                    claims.put("scopes_supported", List.of(dev.otpgate.access.Scope.values()).stream()
                                            .filter(scope -> scope != dev.otpgate.access.Scope.ADMIN)
                                            .map(dev.otpgate.access.Scope::value).toList());
                                }))))
                .csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(headers -> headers
                        .httpStrictTransportSecurity(hsts -> {
                            hsts.maxAgeInSeconds(SecurityHeaders.HSTS_MAX_AGE_SECONDS).includeSubDomains(true);
                            if (behindProxy) {
                                hsts.requestMatcher(AnyRequestMatcher.INSTANCE);
                            }
                        })
                        .contentSecurityPolicy(csp -> csp.policyDirectives(SecurityHeaders.API_CONTENT_SECURITY_POLICY))
                        .frameOptions(frame -> frame.deny()))
                .addFilterAfter(new RequestBodyLimitFilter(properties.limits().maxBodyBytes(), problems), HeaderWriterFilter.class)
                .addFilterBefore(new ClientAuthenticationLimit(limiter, addresses, keyRing, oauth.failedAuthentications()),
                        AbstractPreAuthenticatedProcessingFilter.class)
                .authorizeHttpRequests(rules -> rules.anyRequest().permitAll());
        return http.build();
    }

    /**
     * RFC 6749 section 5.2: a failed client authentication answers 401 {@code invalid_client} with a
     * {@code WWW-Authenticate} challenge (the library's own answer has none, and the JDK's HTTP client refuses a
     * 401 without one); any other error of the client authentication step answers 400. Each 401 is counted in the
     * audit trail's {@code oauth_client.auth_failed} row for the client address and window, whether the client
     * address is locked out later or not and whether rate limiting is on; the presented client id and secret are
     * not recorded.
     */
    private static void clientAuthenticationFailed(HttpServletRequest request, HttpServletResponse response,
            AuthenticationException failure, AuditTrail audit, ClientAddresses addresses) throws IOException {
        SecurityContextHolder.clearContext();
        OAuth2Error error = failure instanceof OAuth2AuthenticationException oauth ? oauth.getError()
                : new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT);
        ServletServerHttpResponse http = new ServletServerHttpResponse(response);
        if (OAuth2ErrorCodes.INVALID_CLIENT.equals(error.getErrorCode())) {
            audit.rollUp(AuditEntry.failure("oauth_client.auth_failed", null, null)
                    .by("anonymous", addresses.resolve(request)));
            http.setStatusCode(HttpStatus.UNAUTHORIZED);
            http.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"otpgate\"");
        } else {
            http.setStatusCode(HttpStatus.BAD_REQUEST);
        }
        http.getHeaders().setCacheControl("no-store");
        ERRORS.write(error, null, http);
    }
}
