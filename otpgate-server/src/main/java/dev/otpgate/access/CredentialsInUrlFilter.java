package dev.otpgate.access;

import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.ProblemWriter;
import dev.otpgate.platform.SecurityHeaders;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request that carries a credential in its URL (S-24), as the very first filter: before Spring
 * Security or Spring MVC could write the URL, and the key in it, to a debug log (S-45).
 */
class CredentialsInUrlFilter extends OncePerRequestFilter {

    private static final Set<String> CREDENTIAL_PARAMETERS = Set.of("api_key", "apikey", "key", "access_token", "token",
            "client_secret");

    private final ProblemWriter problems;

    CredentialsInUrlFilter(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (credentialInUrl(request.getQueryString())) {
            SecurityHeaders.addMissing(response, request.isSecure());
            problems.write(response, new ApiProblem(HttpStatus.BAD_REQUEST, "credentials-in-url",
                    "Credentials in URL", "credentials are accepted only in the Authorization header"));
            return;
        }
        chain.doFilter(request, response);
    }

    static boolean credentialInUrl(String query) {
        if (query == null) {
            return false;
        }
        if (query.contains(ApiKeySecrets.PREFIX)) {
            return true;
        }
        // Parsed by hand: getParameterMap() would also consume a form body.
        for (String pair : query.split("&")) {
            String name;
            try {
                name = URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (CREDENTIAL_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        @Bean
        FilterRegistrationBean<CredentialsInUrlFilter> credentialsInUrlFilter(ProblemWriter problems) {
            FilterRegistrationBean<CredentialsInUrlFilter> registration =
                    new FilterRegistrationBean<>(new CredentialsInUrlFilter(problems));
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            registration.addUrlPatterns("/*");
            return registration;
        }
    }
}
