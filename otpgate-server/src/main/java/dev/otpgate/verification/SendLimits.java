package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.ratelimit.RateLimitDecision;
import dev.otpgate.ratelimit.RateLimitPolicy;
import dev.otpgate.ratelimit.RateLimitProperties;
import dev.otpgate.ratelimit.RateLimitUnavailableException;
import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.ratelimit.RateLimiter;
import dev.otpgate.privacy.Destinations;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The send limits of S-32, for every send: per destination, per number prefix, per country and per app, and for
 * the sends a client asks for also per end-user IP and per API key; most specific first so a refusal for one
 * destination does not use up the app's budget. The policies keep their {@code starts-per-*} names, but a
 * resend and a workflow step count as much as a start. The destination is counted by its blind index, so every
 * spelling of one number shares a bucket (S-33), and the IP by a keyed hash; neither reaches the store in clear.
 * Every bucket but the API key's belongs to the app, so one tenant cannot exhaust another's users. Each limit is
 * the app's own where it set one.
 *
 * <p>An unreachable store refuses the send (503), unless the app chose {@code rate_limit_fail_open}: then the
 * send passes with a warning and a count in {@code otpgate.ratelimit.fail-open}. An allowed send carries the
 * quota of the policy with the fewest requests left.
 */
@Component
@Order(80)
class SendLimits implements SendRule {

    private static final Logger log = LoggerFactory.getLogger(SendLimits.class);

    /** One row per window while the store is down, whoever met it. */
    static final AuditEntry RATE_LIMIT_STORE_DOWN = AuditEntry.failure("ratelimit.store_unavailable", null, null)
            .by(dev.otpgate.audit.AuditContext.SYSTEM, null);

    private final RateLimiter limiter;
    private final AppRateLimits limits;
    private final Destinations destinations;

    private final AuditTrail audit;

    SendLimits(RateLimiter limiter, AppRateLimits limits, Destinations destinations, AuditTrail audit) {
        this.limiter = limiter;
        this.limits = limits;
        this.destinations = destinations;
        this.audit = audit;
    }

    @Override
    public SendDecision evaluate(SendAttempt attempt) {
        if (!limiter.enabled()) {
            return SendDecision.allowed();
        }
        App app = attempt.app();
        String appId = app.id();
        Tightest tightest = new Tightest();
        try {
            List<byte[]> indexes = destinations.indexRotationUnderWay()
                    ? destinations.indexes(attempt.destination()) : List.of(attempt.destinationIndex());
            Refusal refused = consume(app, RateLimitProperties.STARTS_PER_DESTINATION,
                    AppRateLimits.destinationKeys(appId, indexes), tightest);
            if (refused == null && attempt.endUserIp() != null && attempt.origin() != SendAttempt.Origin.WORKFLOW) {
                refused = consume(app, RateLimitProperties.STARTS_PER_IP, limits.ipKeys(appId, attempt.endUserIp()), tightest);
            }
            String prefix = attempt.destination().prefix();
            if (refused == null && prefix != null) {
                refused = consume(app, RateLimitProperties.STARTS_PER_PREFIX, appId + ":" + prefix, tightest);
            }
            String country = attempt.destination().regionCode();
            if (refused == null && attempt.destination().isPhone() && country != null) {
                refused = consume(app, RateLimitProperties.STARTS_PER_COUNTRY, appId + ":" + country, tightest);
            }
            if (refused == null && attempt.apiKeyId() != null) {
                refused = consume(app, RateLimitProperties.STARTS_PER_API_KEY, attempt.apiKeyId(), tightest);
            }
            if (refused == null) {
                refused = consume(app, RateLimitProperties.STARTS_PER_APP, appId, tightest);
            }
            if (refused != null) {
                return SendDecision.refused(refused);
            }
        } catch (RateLimitUnavailableException e) {
            audit.rollUp(RATE_LIMIT_STORE_DOWN);
            if (limits.failOpen(app)) {
                log.warn("Rate-limit store unreachable: send for app {} let through (rate_limit_fail_open)", appId);
                limiter.failedOpen("start");
                return SendDecision.allowed();
            }
            return SendDecision.refused(Refusal.unavailable("rate-limit-unavailable", "Rate limits unavailable",
                    "sends are refused while the rate-limit store cannot be reached; retry later", Duration.ofSeconds(5)));
        }
        return SendDecision.allowed(tightest.quota());
    }

    private Refusal consume(App app, String name, String key, Tightest tightest) {
        return consume(app, name, List.of(key), tightest);
    }

    /** Takes one token from each key's bucket (several only during an index-key rotation); a refusal when one has none. */
    private Refusal consume(App app, String name, List<String> keys, Tightest tightest) {
        RateLimitPolicy policy = limits.policy(app, name);
        RateLimitDecision decision = null;
        for (String key : keys) {
            RateLimitDecision one = limiter.tryConsume(key, policy);
            if (decision == null || one.rejected() || (!decision.rejected() && one.remaining() < decision.remaining())) {
                decision = one;
            }
        }
        if (decision.rejected()) {
            return Refusal.limited("rate-limited", "Too many requests",
                    "too many codes were sent; retry later (" + policy.name() + ")", decision.retryAfter())
                    .with("policy", policy.name())
                    .withQuota(new Refusal.Quota(policy.policyHeader(), policy.rateLimitHeader(decision)));
        }
        tightest.offer(policy, decision);
        return null;
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

        Refusal.Quota quota() {
            return policy == null ? null : new Refusal.Quota(policy.policyHeader(), policy.rateLimitHeader(decision));
        }
    }
}
