/**
 * Verification: the lifecycle of a one-time code sent to a phone or an email address. Start, check (by id or
 * by destination), resend, cancel, expiry; the state machine of S-15; code generation and keyed hashing
 * (S-01, S-02, S-40); the attempt and send caps; idempotent starts. It hands messages to {@code delivery} and
 * applies the start and check rate limits through {@code ratelimit} (S-12, S-32, S-33), and
 * publishes past-tense events for audit, metrics and webhooks, which never sit on the start or check path.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Verification",
        allowedDependencies = {"platform", "apps", "access", "privacy", "delivery", "ratelimit"})
package dev.otpgate.verification;
