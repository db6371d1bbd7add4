package dev.otpgate.access;

import dev.otpgate.access.oauth.AccessTokens;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.platform.ProblemWriter;
import dev.otpgate.platform.RequestBodyLimitFilter;
import dev.otpgate.platform.SecurityHeaders;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.header.HeaderWriter;
import org.springframework.security.web.header.HeaderWriterFilter;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.security.web.header.writers.HstsHeaderWriter;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.ratelimit.ClientAddresses;
import org.springframework.security.web.header.writers.XContentTypeOptionsHeaderWriter;
import org.springframework.security.web.header.writers.frameoptions.XFrameOptionsHeaderWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;

/**
 * The API's filter chain: stateless, deny by default (S-30), one scope per operation (S-31), problem details
 * for 401 and 403, and the security headers of S-37/S-38 on every response, errors included.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final long HSTS_MAX_AGE_SECONDS = SecurityHeaders.HSTS_MAX_AGE_SECONDS;
    private static final String API_POLICY = SecurityHeaders.API_CONTENT_SECURITY_POLICY;

    /**
     * A request the firewall refuses (a header or parameter with characters it does not allow) answers a 400
     * problem. Spring Security's default handler would log the refusal at DEBUG with the firewall's message, which
     * quotes the refused value: an {@code Authorization} header with a stray byte would put the key in the log (S-45).
     */
    @Bean
    RequestRejectedHandler requestRejectedHandler(ProblemWriter problems) {
        return (request, response, rejected) -> {
            SecurityHeaders.addMissing(response, request.isSecure());
            problems.write(response, new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                    "the request carries a path, parameter or header that the server does not accept"));
        };
    }

    /**
     * Actuator endpoints are served on the management port only ({@code management.server.port}, which
     * otpgate refuses to share with the API port); that port listens on loopback unless
     * {@code management.server.address} says otherwise, and with {@code otpgate.management.scrape-token} the
     * metrics need that bearer token (S-54). On the API port these paths are not served (the API chain denies
     * them).
     */
    @Bean
    @Order(1)
    SecurityFilterChain managementFilterChain(HttpSecurity http, ManagementProperties management) throws Exception {
        http.securityMatcher(EndpointRequest.toAnyEndpoint())
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(rules -> rules.anyRequest().permitAll());
        if (management.scrapeToken() != null) {
            http.addFilterBefore(new ScrapeTokenFilter(management.scrapeToken()),
                    org.springframework.security.web.authentication.AnonymousAuthenticationFilter.class);
        }
        return http.build();
    }

    /**
     * Swagger UI (embedded mode only; production turns it off): its own pages need scripts and styles from this
     * origin, so its policy allows {@code 'self'}; framing stays forbidden.
     */
    @Bean
    @Order(2)
    SecurityFilterChain swaggerUiFilterChain(HttpSecurity http) throws Exception {
        return http.securityMatcher("/swagger-ui.html", "/swagger-ui/**")
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(headers -> headers
                        .httpStrictTransportSecurity(hsts -> hsts.maxAgeInSeconds(HSTS_MAX_AGE_SECONDS).includeSubDomains(true))
                        .contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'self'; img-src 'self' data:; "
                                + "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"))
                        .frameOptions(frame -> frame.deny()))
                .authorizeHttpRequests(rules -> rules.requestMatchers(HttpMethod.GET).permitAll().anyRequest().denyAll())
                .build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain apiFilterChain(HttpSecurity http, ApiKeyService keys, ProblemWriter problems,
            OtpgateProperties properties, ClientAddresses addresses, AccessTokens tokens, AuditTrail audit)
            throws Exception {
        // Behind a TLS-terminating proxy every client reached otpgate over HTTPS, so HSTS goes on every answer,
        // not only on requests that look secure here (S-37).
        boolean behindProxy = properties.tls().behindProxy();
        HstsHeaderWriter errorHsts = new HstsHeaderWriter(HSTS_MAX_AGE_SECONDS, true);
        if (behindProxy) {
            errorHsts.setRequestMatcher(AnyRequestMatcher.INSTANCE);
            http.addFilterBefore(new ForwardedSchemeFilter(addresses), HeaderWriterFilter.class);
        }
        String start = Scope.VERIFICATIONS_START.authority();
        String check = Scope.VERIFICATIONS_CHECK.authority();
        String admin = Scope.ADMIN.authority();
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .anonymous(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(headers -> headers
                        .httpStrictTransportSecurity(hsts -> {
                            hsts.maxAgeInSeconds(HSTS_MAX_AGE_SECONDS).includeSubDomains(true);
                            if (behindProxy) {
                                hsts.requestMatcher(AnyRequestMatcher.INSTANCE);
                            }
                        })
                        .contentSecurityPolicy(csp -> csp.policyDirectives(API_POLICY))
                        .frameOptions(frame -> frame.deny()))
                .addFilterBefore(new ErrorDispatchHeaderWriterFilter(List.of(
                        new XContentTypeOptionsHeaderWriter(),
                        errorHsts,
                        new ContentSecurityPolicyHeaderWriter(API_POLICY),
                        new XFrameOptionsHeaderWriter(XFrameOptionsHeaderWriter.XFrameOptionsMode.DENY))),
                        HeaderWriterFilter.class)
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) -> unauthenticated(response, problems))
                        .accessDeniedHandler((request, response, e) -> {
                            // Anonymous access is off, so a request without a key also lands here.
                            if (SecurityContextHolder.getContext().getAuthentication() == null) {
                                unauthenticated(response, problems);
                                return;
                            }
                            problems.write(response, new ApiProblem(HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
                                    "this key lacks the scope for this operation"));
                        }))
                .addFilterAfter(new RequestBodyLimitFilter(properties.limits().maxBodyBytes(), problems), HeaderWriterFilter.class)
                .addFilterBefore(new ApiKeyAuthenticationFilter(keys, tokens, problems, addresses, audit),
                        AuthorizationFilter.class)
                .authorizeHttpRequests(rules -> rules
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers("/error").permitAll()
                        .requestMatchers(HttpMethod.GET, "/v1/openapi.json", "/v1/openapi.json/**").permitAll()
                        // Providers' status callbacks carry the provider's own signature, checked by the endpoint.
                        .requestMatchers(HttpMethod.POST, "/v1/providers/*/receipts").permitAll()
                        .requestMatchers(HttpMethod.GET, "/v1/providers/*/receipts").permitAll()
                        .requestMatchers(HttpMethod.GET, "/v1/caller").authenticated()
                        .requestMatchers(HttpMethod.POST, "/v1/verifications").hasAuthority(start)
                        .requestMatchers(HttpMethod.POST, "/v1/verifications/check", "/v1/verifications/*/check").hasAuthority(check)
                        .requestMatchers(HttpMethod.GET, "/v1/verifications/*").hasAnyAuthority(start, check)
                        .requestMatchers("/v1/verifications/**").hasAuthority(start)
                        .requestMatchers(HttpMethod.POST, "/v1/totp-factors/*/check", "/v1/totp-factors/*/recover")
                                .hasAuthority(Scope.TOTP_CHECK.authority())
                        .requestMatchers("/v1/totp-factors", "/v1/totp-factors/**").hasAuthority(Scope.TOTP_MANAGE.authority())
                        // An app key with webhooks:manage manages its own app's endpoints; an admin key, every app's.
                        .requestMatchers("/v1/apps/*/webhooks", "/v1/apps/*/webhooks/**")
                                .hasAnyAuthority(Scope.WEBHOOKS_MANAGE.authority(), admin)
                        .requestMatchers("/v1/apps", "/v1/apps/**", "/v1/dev/**", "/v1/admin/**").hasAuthority(admin)
                        // An app key with privacy:manage reaches its own app's records; an admin key, every app's.
                        .requestMatchers("/v1/privacy/**").hasAnyAuthority(Scope.PRIVACY_MANAGE.authority(), admin)
                        // An app key sees its own app's fraud blocks and, with fraud:manage, lifts them; an admin
                        // key, every app's. A leaked start key cannot switch the pumping defence off.
                        .requestMatchers(HttpMethod.DELETE, "/v1/fraud/blocks/*")
                                .hasAnyAuthority(Scope.FRAUD_MANAGE.authority(), admin)
                        .requestMatchers("/v1/fraud/blocks", "/v1/fraud/blocks/*").hasAnyAuthority(start, admin)
                        // The trail: an app key with audit:read reads its app's rows; checking and exporting it is the
                        // instance's business.
                        .requestMatchers(HttpMethod.GET, "/v1/audit-events/verify", "/v1/audit-events/export",
                                "/v1/audit-events/public-key").hasAuthority(admin)
                        .requestMatchers(HttpMethod.GET, "/v1/audit-events").hasAnyAuthority(Scope.AUDIT_READ.authority(), admin)
                        .anyRequest().denyAll());
        return http.build();
    }

    private static void unauthenticated(HttpServletResponse response, ProblemWriter problems) throws java.io.IOException {
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"otpgate\"");
        problems.write(response, new ApiProblem(HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated",
                "send an API key (Authorization: Bearer otpg_…) or an access token from /oauth2/token"));
    }

    /**
     * {@link HeaderWriterFilter} skips ERROR dispatches. A request that Tomcat (TRACE) or the firewall (a path
     * with ';' or '//') refuses reaches the chain only as an ERROR dispatch to /error; this writes the S-38
     * headers on that pass too.
     */
    static final class ErrorDispatchHeaderWriterFilter extends HeaderWriterFilter {

        ErrorDispatchHeaderWriterFilter(List<HeaderWriter> writers) {
            super(writers);
        }

        @Override
        protected boolean shouldNotFilterErrorDispatch() {
            return false;
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            return request.getDispatcherType() != DispatcherType.ERROR;
        }
    }
}
