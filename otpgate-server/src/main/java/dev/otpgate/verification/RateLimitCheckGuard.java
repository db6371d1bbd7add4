package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.ratelimit.RateLimitDecision;
import dev.otpgate.ratelimit.RateLimitPolicy;
import dev.otpgate.ratelimit.RateLimitProperties;
import dev.otpgate.ratelimit.RateLimitUnavailableException;
import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The check limits beyond a verification's own attempt cap (S-12, S-32): per end-user IP, when the app passes
 * {@code end_user.ip} on the check (by a keyed hash; never the caller's socket, which is the app's backend), and
 * consecutive failed checks per destination across the app's verifications. After
 * {@code checks-per-destination} failures without an approval the destination is locked out (429
 * {@code destination-locked}) for {@code otpgate.rate-limit.destination-lockout}; each further failure after a
 * lockout locks it again for twice as long, up to {@code destination-lockout-max}; an approval resets both.
 *
 * <p>The state lives in the rate-limit store, so it holds across nodes exactly when the start limits do. When
 * the store cannot be reached, checks go on with only the per-verification cap (a warning and a count in
 * {@code otpgate.ratelimit.fail-open}): refusing every check would lock every user out during an outage.
 */
@Component
@Order(100)
class RateLimitCheckGuard implements CheckGuard {

    private static final Logger log = LoggerFactory.getLogger(RateLimitCheckGuard.class);
    /** How long an app's limits are reused before they are read again. */
    private static final long APP_CACHE_NANOS = Duration.ofSeconds(5).toNanos();

    private final RateLimiter limiter;
    private final AppRateLimits limits;
    private final AppDirectory apps;
    private final Map<String, CachedApp> appCache = new ConcurrentHashMap<>();

    private final AuditTrail audit;

    RateLimitCheckGuard(RateLimiter limiter, AppRateLimits limits, AppDirectory apps, AuditTrail audit) {
        this.limiter = limiter;
        this.limits = limits;
        this.apps = apps;
        this.audit = audit;
    }

    private record CachedApp(App app, long readAt) {}

    @Override
    public Refusal before(CheckAttempt attempt) {
        if (!limiter.enabled()) {
            return null;
        }
        App app = app(attempt.appId());
        RateLimitPolicy failures = limits.policy(app, RateLimitProperties.CHECKS_PER_DESTINATION);
        List<String> destination = AppRateLimits.destinationKeys(attempt.appId(), attempt.destinationIndexes());
        try {
            Duration locked = Duration.ZERO;
            for (String key : destination) {
                Duration one = limiter.lockedFor(key, failures, limits.properties().lockouts());
                locked = one.compareTo(locked) > 0 ? one : locked;
            }
            if (!locked.isZero()) {
                return Refusal.limited("destination-locked", "Destination locked",
                        "too many failed checks for this destination; retry later", locked)
                        .with("policy", failures.name());
            }
            if (attempt.endUserIp() != null) {
                RateLimitPolicy perIp = limits.policy(app, RateLimitProperties.CHECKS_PER_IP);
                RateLimitDecision decision = null;
                for (String key : limits.ipKeys(attempt.appId(), attempt.endUserIp())) {
                    RateLimitDecision one = limiter.tryConsume(key, perIp);
                    decision = decision == null || one.rejected() ? one : decision;
                }
                if (decision.rejected()) {
                    return Refusal.limited("rate-limited", "Too many requests",
                            "too many checks from this address; retry later (" + perIp.name() + ")", decision.retryAfter())
                            .with("policy", perIp.name())
                            .withQuota(new Refusal.Quota(perIp.policyHeader(), perIp.rateLimitHeader(decision)));
                }
            }
        } catch (RateLimitUnavailableException e) {
            failedOpen(attempt);
        }
        return null;
    }

    @Override
    public void after(CheckAttempt attempt, boolean approved) {
        if (!limiter.enabled()) {
            return;
        }
        RateLimitPolicy failures = limits.policy(app(attempt.appId()), RateLimitProperties.CHECKS_PER_DESTINATION);
        try {
            Duration locked = Duration.ZERO;
            for (String destination : AppRateLimits.destinationKeys(attempt.appId(), attempt.destinationIndexes())) {
                if (approved) {
                    limiter.recordSuccess(destination, failures);
                } else {
                    Duration lockout = limiter.recordFailure(destination, failures, limits.properties().lockouts());
                    locked = lockout.compareTo(locked) > 0 ? lockout : locked;
                }
            }
            if (!locked.isZero()) {
                // The destination appears by its verification only: never the number (S-45).
                audit.recordLater(AuditEntry.detected("verification.destination_locked", attempt.appId(),
                        attempt.verificationId()).with("locked_seconds", locked.toSeconds()));
            }
        } catch (RateLimitUnavailableException e) {
            failedOpen(attempt);
        }
    }

    private void failedOpen(CheckAttempt attempt) {
        log.warn("Rate-limit store unreachable: check of {} goes on with only its attempt cap", attempt.verificationId());
        audit.rollUp(SendLimits.RATE_LIMIT_STORE_DOWN);
        limiter.failedOpen("check");
    }

    private App app(String appId) {
        long now = System.nanoTime();
        CachedApp cached = appCache.get(appId);
        if (cached != null && now - cached.readAt() < APP_CACHE_NANOS) {
            return cached.app();
        }
        App app = apps.find(appId).orElse(null);
        if (appCache.size() > 10_000) {
            appCache.clear();
        }
        if (app != null) {
            appCache.put(appId, new CachedApp(app, now));
        }
        return app;
    }
}
