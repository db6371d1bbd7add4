package dev.otpgate.access;

import dev.otpgate.access.oauth.AccessTokens;
import dev.otpgate.audit.AuditContext;
import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.ratelimit.ClientAddresses;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer otpg_…}; an unknown, revoked or expired key answers 401 with
 * {@code WWW-Authenticate}. Credentials in the URL never get this far: {@link CredentialsInUrlFilter}. A bearer
 * value shaped as a JWT is an OAuth 2.0 access token instead, checked by {@link AccessTokens} without a database
 * read; a bad one answers 401 with {@code error="invalid_token"} and a fixed {@code error_description}.
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private final ApiKeyService keys;
    private final AccessTokens tokens;
    private final ProblemWriter problems;
    private final ClientAddresses addresses;
    private final AuditTrail audit;

    ApiKeyAuthenticationFilter(ApiKeyService keys, AccessTokens tokens, ProblemWriter problems,
            ClientAddresses addresses, AuditTrail audit) {
        this.keys = keys;
        this.tokens = tokens;
        this.problems = problems;
        this.addresses = addresses;
        this.audit = audit;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        String clientAddress = addresses.resolve(request);
        AuditContext.bindAddress(request, clientAddress);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && AccessTokens.looksLikeJwt(header.substring(7).strip())) {
            switch (tokens.check(header.substring(7).strip(), request)) {
                case AccessTokens.Check.Accepted accepted -> authenticate(request, accepted.caller(), clientAddress);
                case AccessTokens.Check.Refused refused -> {
                    audit.rollUp(AuditEntry.failure("auth.failed", null, null).by("anonymous", clientAddress));
                    response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"otpgate\", error=\"invalid_token\", "
                            + "error_description=\"" + refused.description() + "\"");
                    problems.write(response, new ApiProblem(HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated",
                            refused.description()));
                    return;
                }
            }
        } else if (header != null) {
            Optional<Caller> caller;
            try {
                caller = header.regionMatches(true, 0, "Bearer ", 0, 7)
                        ? keys.authenticate(header.substring(7).strip())
                        : Optional.empty();
            } catch (DataAccessResourceFailureException e) {
                // Pool exhausted or database down: shed the request with a retryable answer.
                problems.write(response, ApiProblem.unavailable());
                return;
            }
            if (caller.isEmpty()) {
                // One row per client address and window, with the count: a guessing run is visible, not a flood.
                audit.rollUp(AuditEntry.failure("auth.failed", null, null).by("anonymous", clientAddress));
                response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"otpgate\", error=\"invalid_token\"");
                problems.write(response, new ApiProblem(HttpStatus.UNAUTHORIZED, "unauthenticated", "Unauthenticated",
                        "the credential is malformed, unknown, expired or revoked"));
                return;
            }
            authenticate(request, caller.get(), clientAddress);
        }
        // No clearing here: SecurityContextHolderFilter clears the context when the request ends, after
        // ExceptionTranslationFilter has had to tell a 401 from a 403 by it.
        chain.doFilter(request, response);
    }

    private static void authenticate(HttpServletRequest request, Caller caller, String clientAddress) {
        var authorities = caller.scopes().stream().map(scope -> new SimpleGrantedAuthority(scope.authority())).toList();
        var authentication = UsernamePasswordAuthenticationToken.authenticated(caller, null, authorities);
        SecurityContextHolder.setContext(new SecurityContextImpl(authentication));
        AuditContext.bind(request, caller.keyId(), caller.appId(), clientAddress);
    }
}
