package dev.otpgate.access.oauth;

import dev.otpgate.platform.KeyRing;
import dev.otpgate.ratelimit.ClientAddresses;
import dev.otpgate.ratelimit.RateLimitPolicy;
import dev.otpgate.ratelimit.RateLimitUnavailableException;
import dev.otpgate.ratelimit.RateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Limits failed client authentications at {@code /oauth2/token} per client address (S-32), with the rate
 * limiter's consecutive-failure lockouts that also lock out destinations after failed checks: after
 * {@code capacity} failures within {@code period} the address gets 429 with {@code Retry-After} for the lockout,
 * doubled for each further lockout up to the maximum. The state lives in the rate-limit store, so it holds across
 * nodes when the store is Redis or the database. The address is keyed by the blind index, never kept in clear.
 * When the store cannot be reached the request goes on (counted in {@code otpgate.ratelimit.fail-open}): client
 * secrets carry 256 random bits, so the limit protects the server more than the secrets.
 */
final class ClientAuthenticationLimit extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(ClientAuthenticationLimit.class);
    static final String POLICY = "token-client-auth-failures";

    private final RateLimiter limiter;
    private final ClientAddresses addresses;
    private final KeyRing keys;
    private final RateLimitPolicy policy;
    private final RateLimiter.Lockouts lockouts;

    ClientAuthenticationLimit(RateLimiter limiter, ClientAddresses addresses, KeyRing keys,
            OAuthProperties.FailedAuthentications limits) {
        this.limiter = limiter;
        this.addresses = addresses;
        this.keys = keys;
        this.policy = new RateLimitPolicy(POLICY, limits.capacity(), limits.period());
        this.lockouts = new RateLimiter.Lockouts(limits.lockout(), limits.lockoutMax());
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !limiter.enabled() || !"POST".equals(request.getMethod()) || !"/oauth2/token".equals(request.getServletPath());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = HexFormat.of().formatHex(keys.blindIndex("oauth-token-client:" + addresses.resolve(request)));
        Duration locked;
        try {
            locked = limiter.lockedFor(key, policy, lockouts);
        } catch (RateLimitUnavailableException e) {
            limiter.failedOpen("token");
            chain.doFilter(request, response);
            return;
        }
        if (!locked.isZero()) {
            long seconds = Math.max(1, (locked.toMillis() + 999) / 1000);
            response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            response.setContentType("application/json");
            response.getOutputStream().write(("{\"error\":\"temporarily_unavailable\",\"error_description\":"
                    + "\"too many failed client authentications from this address; retry after " + seconds + " s\"}")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        chain.doFilter(request, response);
        if (response.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
            try {
                Duration started = limiter.recordFailure(key, policy, lockouts);
                if (!started.isZero()) {
                    log.warn("Locked a client address out of the token endpoint for {} after failed client authentications",
                            started);
                }
            } catch (RateLimitUnavailableException e) {
                limiter.failedOpen("token");
            }
        }
    }
}
