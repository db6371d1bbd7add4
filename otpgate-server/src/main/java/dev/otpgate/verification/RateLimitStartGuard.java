package dev.otpgate.verification;

import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.KeyRing;
import dev.otpgate.ratelimit.RateLimitDecision;
import dev.otpgate.ratelimit.RateLimitPolicy;
import dev.otpgate.ratelimit.RateLimitProperties;
import dev.otpgate.ratelimit.RateLimitUnavailableException;
import dev.otpgate.ratelimit.RateLimiter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The start limits of S-32: per destination, per end-user IP, per API key and per app, most specific first so a
 * refusal for one destination does not use up the app's budget. The destination is counted by its blind index,
 * so every spelling of one number shares a bucket (S-33), and the IP by a keyed hash; neither reaches the store
 * in clear. Destination and IP buckets belong to the app, so one tenant cannot exhaust another's users.
 * An unreachable store refuses the start (503): a limit that cannot be counted is not skipped.
 */
@Component
@Order(100)
class RateLimitStartGuard implements StartGuard {

    private static final HexFormat HEX = HexFormat.of();

    private final RateLimiter limiter;
    private final RateLimitProperties properties;
    private final KeyRing keys;

    RateLimitStartGuard(RateLimiter limiter, RateLimitProperties properties, KeyRing keys) {
        this.limiter = limiter;
        this.properties = properties;
        this.keys = keys;
    }

    @Override
    public void check(StartAttempt attempt) {
        if (!limiter.enabled()) {
            return;
        }
        String appId = attempt.app().id();
        consume(properties.startsPerDestinationPolicy(), appId + ":" + HEX.formatHex(attempt.destinationIndex()));
        if (attempt.endUserIp() != null) {
            consume(properties.startsPerIpPolicy(), appId + ":" + HEX.formatHex(keys.blindIndex("ip:" + canonicalIp(attempt.endUserIp()))));
        }
        if (attempt.apiKeyId() != null) {
            consume(properties.startsPerApiKeyPolicy(), attempt.apiKeyId());
        }
        consume(properties.startsPerAppPolicy(), appId);
    }

    private void consume(RateLimitPolicy policy, String key) {
        RateLimitDecision decision;
        try {
            decision = limiter.tryConsume(key, policy);
        } catch (RateLimitUnavailableException e) {
            throw new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "rate-limit-unavailable", "Rate limits unavailable",
                    "starts are refused while the rate-limit store cannot be reached; retry later")
                    .retryAfter(java.time.Duration.ofSeconds(5));
        }
        if (decision.rejected()) {
            throw new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
                    "too many verifications were started; retry later (" + policy.name() + ")")
                    .with("policy", policy.name())
                    .retryAfter(decision.retryAfter())
                    .header("RateLimit-Policy", policy.policyHeader())
                    .header("RateLimit", policy.rateLimitHeader(decision));
        }
    }

    /** One spelling per address ({@code ::1} and {@code 0:0:0:0:0:0:0:1} alike); the literal was validated. */
    private static String canonicalIp(String ip) {
        try {
            return InetAddress.getByName(ip).getHostAddress();
        } catch (UnknownHostException e) {
            return ip;
        }
    }
}
