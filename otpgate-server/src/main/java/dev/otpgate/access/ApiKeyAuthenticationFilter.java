package dev.otpgate.access;

import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer otpg_…}. A credential anywhere in the URL is refused outright,
 * before it could be used (S-24); an unknown, revoked or expired key answers 401 with {@code WWW-Authenticate}.
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private static final Set<String> CREDENTIAL_PARAMETERS = Set.of("api_key", "apikey", "key", "access_token", "token");

    private final ApiKeyService keys;
    private final ProblemWriter problems;

    ApiKeyAuthenticationFilter(ApiKeyService keys, ProblemWriter problems) {
        this.keys = keys;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (credentialInUrl(request)) {
            problems.write(response, new ApiProblem(HttpStatus.BAD_REQUEST, "credentials-in-url",
                    "Credentials in URL", "credentials are accepted only in the Authorization header"));
            return;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            Optional<Caller> caller = header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? keys.authenticate(header.substring(7).strip())
                    : Optional.empty();
            if (caller.isEmpty()) {
                response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"otpgate\", error=\"invalid_token\"");
                problems.write(response, new ApiProblem(HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated",
                        "the credential is malformed, unknown, expired or revoked"));
                return;
            }
            var authorities = caller.get().scopes().stream().map(scope -> new SimpleGrantedAuthority(scope.authority())).toList();
            var authentication = UsernamePasswordAuthenticationToken.authenticated(caller.get(), null, authorities);
            SecurityContextHolder.setContext(new SecurityContextImpl(authentication));
        }
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private static boolean credentialInUrl(HttpServletRequest request) {
        String query = request.getQueryString();
        if (query == null) {
            return false;
        }
        if (query.contains(ApiKeySecrets.PREFIX)) {
            return true;
        }
        // Parsed by hand: getParameterMap() would also consume a form body.
        for (String pair : query.split("&")) {
            String name = URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
            if (CREDENTIAL_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }
}
