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

    /** A destination's bucket key within an app: its blind index, never the destination. */
    static String destinationKey(String appId, byte[] destinationIndex) {
        return appId + ":" + HEX.formatHex(destinationIndex);
    }

    /** An IP address's bucket key within an app: a keyed hash of its canonical spelling, never the address. */
    String ipKey(String appId, String ip) {
        return appId + ":" + HEX.formatHex(keys.blindIndex("ip:" + canonicalIp(ip)));
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
