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
        DeliverySettings delivery,
        DefenceSettings defences,
        Instant createdAt,
        Instant updatedAt) {

    /** Channels an app can be allowed to use. Email must be chosen explicitly (S-06). */
    public static final List<String> CHANNELS = List.of("sms", "voice", "whatsapp", "email");

    /** The steps a start runs when it names neither a workflow nor a channel. */
    public List<DeliverySettings.WorkflowStep> defaultWorkflow() {
        return delivery.defaultWorkflow().isEmpty()
                ? List.of(new DeliverySettings.WorkflowStep(defaultChannel, null)) : delivery.defaultWorkflow();
    }

    public boolean allows(String channel) {
        return allowedChannels.contains(channel);
    }
}
