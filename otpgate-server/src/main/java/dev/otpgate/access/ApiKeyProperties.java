package dev.otpgate.access;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.api-keys.*}.
 *
 * @param lastUsedInterval how often a node writes the {@code last_used_at} of the keys it saw used: one update per
 *     key per interval at most, never one per request. 1s to 1m.
 */
@ConfigurationProperties("otpgate.api-keys")
public record ApiKeyProperties(@DefaultValue("1m") Duration lastUsedInterval) {

    public ApiKeyProperties {
        if (lastUsedInterval.compareTo(Duration.ofSeconds(1)) < 0 || lastUsedInterval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("otpgate.api-keys.last-used-interval must be between 1s and 1m");
        }
    }
}
