package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.privacy.Destinations;
import dev.otpgate.ratelimit.RateLimitDecision;
import dev.otpgate.ratelimit.RateLimitPolicy;
import dev.otpgate.ratelimit.RateLimitProperties;
import dev.otpgate.ratelimit.RateLimitUnavailableException;
import dev.otpgate.ratelimit.RateLimiter;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The start limits of S-32: per destination, per end-user IP, per number prefix, per country, per API key and
 * per app, most specific first so a refusal for one destination does not use up the app's budget. The
 * destination is counted by its blind index, so every spelling of one number shares a bucket (S-33), and the
 * IP by a keyed hash; neither reaches the store in clear. Every bucket but the API key's belongs to the app, so
 * one tenant cannot exhaust another's users. Each limit is the app's own where it set one.
 *
 * <p>An unreachable store refuses the start (503), unless the app chose {@code rate_limit_fail_open}: then the
 * start passes with a warning and a count in {@code otpgate.ratelimit.fail-open}. An accepted start carries the
 * {@code RateLimit-Policy} and {@code RateLimit} fields of the policy with the fewest requests left.
 */
@Component
@Order(100)
class RateLimitStartGuard implements StartGuard {

    private static final Logger log = LoggerFactory.getLogger(RateLimitStartGuard.class);

    private final RateLimiter limiter;
    private final AppRateLimits limits;
    private final Destinations destinations;

    RateLimitStartGuard(RateLimiter limiter, AppRateLimits limits, Destinations destinations) {
        this.limiter = limiter;
        this.limits = limits;
        this.destinations = destinations;
    }

    @Override
    public void check(StartAttempt attempt) {
        if (!limiter.enabled()) {
            return;
        }
        App app = attempt.app();
        String appId = app.id();
        Tightest tightest = new Tightest();
        try {
            consume(app, RateLimitProperties.STARTS_PER_DESTINATION,
                    AppRateLimits.destinationKey(appId, attempt.destinationIndex()), tightest);
            if (attempt.endUserIp() != null) {
                consume(app, RateLimitProperties.STARTS_PER_IP, limits.ipKey(appId, attempt.endUserIp()), tightest);
            }
            String prefix = destinations.prefix(attempt.destination());
            if (prefix != null) {
                consume(app, RateLimitProperties.STARTS_PER_PREFIX, appId + ":" + prefix, tightest);
            }
            String country = attempt.destination().regionCode();
            if (attempt.destination().isPhone() && country != null) {
                consume(app, RateLimitProperties.STARTS_PER_COUNTRY, appId + ":" + country, tightest);
            }
            if (attempt.apiKeyId() != null) {
                consume(app, RateLimitProperties.STARTS_PER_API_KEY, attempt.apiKeyId(), tightest);
            }
            consume(app, RateLimitProperties.STARTS_PER_APP, appId, tightest);
        } catch (RateLimitUnavailableException e) {
            if (limits.failOpen(app)) {
                log.warn("Rate-limit store unreachable: start for app {} let through (rate_limit_fail_open)", appId);
                limiter.failedOpen("start");
                return;
            }
            throw new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "rate-limit-unavailable", "Rate limits unavailable",
                    "starts are refused while the rate-limit store cannot be reached; retry later")
                    .retryAfter(Duration.ofSeconds(5));
        }
        tightest.announce();
    }

    private void consume(App app, String name, String key, Tightest tightest) {
        RateLimitPolicy policy = limits.policy(app, name);
        RateLimitDecision decision = limiter.tryConsume(key, policy);
        if (decision.rejected()) {
            throw new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
                    "too many verifications were started; retry later (" + policy.name() + ")")
                    .with("policy", policy.name())
                    .retryAfter(decision.retryAfter())
                    .header("RateLimit-Policy", policy.policyHeader())
                    .header("RateLimit", policy.rateLimitHeader(decision));
        }
        tightest.offer(policy, decision);
    }

    /** The policy with the fewest requests left; the most specific wins a tie. */
    private static final class Tightest {

        private RateLimitPolicy policy;
        private RateLimitDecision decision;

        void offer(RateLimitPolicy candidate, RateLimitDecision outcome) {
            if (decision == null || outcome.remaining() < decision.remaining()) {
                policy = candidate;
                decision = outcome;
            }
        }

        /** On the response of the request being served, if any (a start always has one). */
        void announce() {
            if (policy != null && RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes servlet
                    && servlet.getResponse() != null) {
                servlet.getResponse().setHeader("RateLimit-Policy", policy.policyHeader());
                servlet.getResponse().setHeader("RateLimit", policy.rateLimitHeader(decision));
            }
        }
    }
}
