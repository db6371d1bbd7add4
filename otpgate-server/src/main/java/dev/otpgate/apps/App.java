package dev.otpgate.apps;

import java.time.Instant;
import java.util.List;

/** An app (tenant) and the settings every verification it starts copies. */
public record App(
        String id,
        String name,
        String brand,
        int codeLength,
        int codeTtlSeconds,
        int maxAttempts,
        int maxSends,
        int resendCooldownSeconds,
        List<String> allowedChannels,
        String defaultChannel,
        String locale,
        int totpSkewSteps,
        int totpMaxFailures,
        Instant createdAt,
        Instant updatedAt) {

    /** Channels an app can be allowed to use. Email must be chosen explicitly (S-06). */
    public static final List<String> CHANNELS = List.of("sms", "voice", "whatsapp", "email");

    public boolean allows(String channel) {
        return allowedChannels.contains(channel);
    }
}
