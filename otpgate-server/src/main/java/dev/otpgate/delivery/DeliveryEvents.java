package dev.otpgate.delivery;

import java.time.Instant;

/**
 * What became of a message, published inside the transaction that records it on its step, so a listener that
 * writes in the same transaction (the workflow's owner schedules its next move as a durable job) commits or
 * rolls back with the record. None carries the code or the destination.
 */
public final class DeliveryEvents {

    private DeliveryEvents() {}

    /**
     * A provider accepted the message (or, for a test destination, it was recorded without one).
     *
     * @param stepTimeoutSeconds the request's {@link DeliveryRequest#stepTimeoutSeconds()}, handed back
     */
    public record MessageSent(String verificationId, String appId, int step, String channel, String providerId, boolean test,
            Integer stepTimeoutSeconds, Instant at) {}

    /**
     * No provider could take the message: a permanent error, the last try, or none configured.
     *
     * @param appId {@code null} when the queued message could not be opened at all
     * @param providerId the provider tried last, {@code null} when none was
     */
    public record MessageFailed(String verificationId, String appId, int step, String channel, String providerId,
            String reason, Instant at) {}

    /** A provider's receipt said the message arrived. */
    public record MessageDelivered(String verificationId, String appId, int step, String channel, String providerId,
            Instant at) {}

    /** A provider's receipt said the message did not arrive. */
    public record MessageUndelivered(String verificationId, String appId, int step, String channel, String providerId,
            String reason, Instant at) {}

    /**
     * A {@link SendGate} refused the message before it was sent and blocked the phone channels of the
     * verification (a SIM swap).
     */
    public record MessageSkipped(String verificationId, int step, String channel, String reason, Instant at) {}
}
