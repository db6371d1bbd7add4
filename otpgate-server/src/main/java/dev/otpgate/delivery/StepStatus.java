package dev.otpgate.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a step's message stands. Statuses only move forward: {@code queued} → {@code sent} → {@code delivered} |
 * {@code undelivered}, or {@code queued} → {@code failed} | {@code skipped}; {@code test} is final from the start.
 */
public enum StepStatus {
    /** Waiting for a worker, or for its next try. */
    QUEUED,
    /** A provider accepted it. */
    SENT,
    /** The provider's receipt says it arrived. */
    DELIVERED,
    /** The provider's receipt says it did not arrive. */
    UNDELIVERED,
    /** No provider took it. */
    FAILED,
    /** Never sent: a send rule refused its channel, or the SIM-swap check blocked the phone channels. */
    SKIPPED,
    /** An app's test destination: recorded, never sent. */
    TEST;

    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StepStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
