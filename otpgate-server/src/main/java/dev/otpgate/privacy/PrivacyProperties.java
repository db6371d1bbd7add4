package dev.otpgate.privacy;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.privacy.*}: how long personal data is kept once a verification has ended, and how the purge
 * works through it.
 *
 * @param retention how long after a verification ended (approved, failed, expired, canceled) its destination,
 *        end-user IP and user agent, transaction lines, provider message ids and idempotency records are kept
 * @param purgeInterval how often the purge runs (on one node at a time)
 * @param purgeBatch verifications stripped per transaction
 */
@ConfigurationProperties("otpgate.privacy")
public record PrivacyProperties(
        @DefaultValue("30d") Duration retention,
        @DefaultValue("15m") Duration purgeInterval,
        @DefaultValue("500") int purgeBatch) {

    public PrivacyProperties {
        if (retention.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("otpgate.privacy.retention must be at least 1h");
        }
        if (purgeInterval.isNegative() || purgeInterval.isZero()) {
            throw new IllegalArgumentException("otpgate.privacy.purge-interval must be positive");
        }
        if (purgeBatch < 1 || purgeBatch > 10_000) {
            throw new IllegalArgumentException("otpgate.privacy.purge-batch must be 1-10000");
        }
    }
}
