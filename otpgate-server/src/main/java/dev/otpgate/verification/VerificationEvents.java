package dev.otpgate.verification;

import java.time.Instant;

/**
 * Events the verification module publishes inside its transactions; listeners that want them after commit use
 * {@code @TransactionalEventListener}. None carries a code or a full destination.
 */
public final class VerificationEvents {

    private VerificationEvents() {}

    /**
     * @param countryCode ISO 3166 region of a phone destination, {@code null} for email
     * @param prefix the number's country code and leading digits (its number range, never the whole number),
     *        {@code null} for email
     */
    public record VerificationStarted(String verificationId, String appId, String channel, String destinationType,
            String countryCode, String prefix, Instant at) {}

    /**
     * A code was queued for sending: the first of a start, a resend's, or a workflow step's. Published in the
     * transaction that wrote the code, so it counts only sends that happen; SMS-pumping counts are made of it.
     *
     * @param step the verification's code step (1 for the first code)
     */
    public record CodeQueued(String verificationId, String appId, int step, String channel, String countryCode,
            String prefix, Instant at) {}

    public record VerificationApproved(String verificationId, String appId, String channel, String countryCode,
            String prefix, Instant at) {}

    /**
     * @param reason {@code max-attempts}, {@code delivery-failed}, {@code workflow-exhausted}, a SIM-swap reason, or
     *        the problem type of the send rule that refused the last step ({@code undeliverable-destination}, …)
     */
    public record VerificationFailed(String verificationId, String appId, String channel, String reason, Instant at) {}

    public record VerificationExpired(String verificationId, String appId, String channel, Instant at) {}

    public record VerificationCanceled(String verificationId, String appId, String channel, Instant at) {}
}
