package dev.otpgate.platform;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.keys.index.*}: the timing of an index-key rotation.
 *
 * @param promoteAfter how long a new index key waits as a secondary before it may become primary, so that every
 *        node has read it (nodes look for a changed key set every 10 s) before any node writes under it
 * @param retireAfter how long the previous index key is kept after the new one became primary: longer than every
 *        rate-limit window and the lockout count (7 days), so that limits and lockouts counted under it run out first
 */
@ConfigurationProperties("otpgate.keys.index")
public record IndexKeyProperties(
        @DefaultValue("1m") Duration promoteAfter,
        @DefaultValue("8d") Duration retireAfter) {

    public IndexKeyProperties {
        if (promoteAfter.isNegative() || retireAfter.isNegative()) {
            throw new IllegalArgumentException("otpgate.keys.index.* durations must not be negative");
        }
    }
}
