package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.DefenceSettings;
import dev.otpgate.platform.KeyRing;
import dev.otpgate.ratelimit.RateLimitPolicy;
import dev.otpgate.ratelimit.RateLimitProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The limits that hold for one app: its own {@code defences.rate_limits} where it set one, the instance's
 * {@code otpgate.rate-limit.*} otherwise; and the opaque keys the guards count by.
 */
@Component
class AppRateLimits {

    private static final HexFormat HEX = HexFormat.of();

    private final RateLimitProperties properties;
    private final KeyRing keys;

    AppRateLimits(RateLimitProperties properties, KeyRing keys) {
        this.properties = properties;
        this.keys = keys;
    }

    RateLimitPolicy policy(App app, String name) {
        Map<String, DefenceSettings.Limit> overrides = app == null || app.defences() == null
                ? Map.of() : app.defences().rateLimits();
        DefenceSettings.Limit override = overrides == null ? null : overrides.get(name);
        if (override == null || override.capacity() == null || override.periodSeconds() == null) {
            return properties.policy(name);
        }
        return new RateLimitPolicy(name, override.capacity(), Duration.ofSeconds(override.periodSeconds()));
    }

    boolean failOpen(App app) {
        return app != null && app.defences() != null && Boolean.TRUE.equals(app.defences().rateLimitFailOpen());
    }

    RateLimitProperties properties() {
        return properties;
    }

    /**
     * A destination's bucket keys within an app: its blind indexes, never the destination. One normally; during
     * an index-key rotation one per key in play, and every limit counts under each, so that buckets and lockouts
     * of the previous key keep counting through their windows and the new key's have the full history by the time
     * the previous key is retired.
     */
    static List<String> destinationKeys(String appId, List<byte[]> destinationIndexes) {
        return destinationIndexes.stream().map(index -> appId + ":" + HEX.formatHex(index)).toList();
    }

    /** An IP address's bucket keys within an app: keyed hashes of its canonical spelling (one per index key in play). */
    List<String> ipKeys(String appId, String ip) {
        return keys.blindIndexes("ip:" + canonicalIp(ip)).stream().map(index -> appId + ":" + HEX.formatHex(index)).toList();
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
