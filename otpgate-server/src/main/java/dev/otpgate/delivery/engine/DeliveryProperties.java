package dev.otpgate.delivery.engine;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.delivery.*}: how hard the worker tries before a step is failed, and how it fails over
 * between a channel's providers.
 *
 * @param maxTries sends tried per step, the first included (1–20); each try walks the channel's providers
 * @param retryBackoff the wait before the second try; it doubles for each later one
 * @param providerCoolOff how long a provider that failed is skipped while its channel has another one
 * @param undeliveredRun this many undelivered receipts in a row from one provider make it cool off too
 */
@ConfigurationProperties("otpgate.delivery")
public record DeliveryProperties(
        @DefaultValue("5") int maxTries,
        @DefaultValue("2s") Duration retryBackoff,
        @DefaultValue("60s") Duration providerCoolOff,
        @DefaultValue("5") int undeliveredRun) {

    public DeliveryProperties {
        if (maxTries < 1 || maxTries > 20) {
            throw new IllegalArgumentException("otpgate.delivery.max-tries must be 1–20, was " + maxTries);
        }
        if (retryBackoff.isNegative() || retryBackoff.isZero()) {
            throw new IllegalArgumentException("otpgate.delivery.retry-backoff must be positive, was " + retryBackoff);
        }
        if (providerCoolOff.isNegative()) {
            throw new IllegalArgumentException("otpgate.delivery.provider-cool-off must not be negative, was " + providerCoolOff);
        }
        if (undeliveredRun < 1) {
            throw new IllegalArgumentException("otpgate.delivery.undelivered-run must be at least 1, was " + undeliveredRun);
        }
    }
}
