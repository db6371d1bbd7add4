package dev.otpgate.delivery;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.delivery.*}: how hard the worker tries before a step is failed.
 *
 * @param maxTries sends tried per step, the first included (1–20)
 * @param retryBackoff the wait before the second try; it doubles for each later one
 */
@ConfigurationProperties("otpgate.delivery")
public record DeliveryProperties(@DefaultValue("5") int maxTries, @DefaultValue("2s") Duration retryBackoff) {

    public DeliveryProperties {
        if (maxTries < 1 || maxTries > 20) {
            throw new IllegalArgumentException("otpgate.delivery.max-tries must be 1–20, was " + maxTries);
        }
        if (retryBackoff.isNegative() || retryBackoff.isZero()) {
            throw new IllegalArgumentException("otpgate.delivery.retry-backoff must be positive, was " + retryBackoff);
        }
    }
}
