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

    public record VerificationApproved(String verificationId, String appId, String channel, String countryCode,
            String prefix, Instant at) {}

    /** @param reason {@code max-attempts}, {@code delivery-failed} */
    public record VerificationFailed(String verificationId, String appId, String channel, String reason, Instant at) {}

    public record VerificationExpired(String verificationId, String appId, String channel, Instant at) {}

    public record VerificationCanceled(String verificationId, String appId, String channel, Instant at) {}
}
