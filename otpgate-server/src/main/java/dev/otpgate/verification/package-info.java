/**
 * Verification: the lifecycle of a one-time code sent to a phone or an email address, and the workflow that
 * sends it. Start (with idempotency), check (by id or by destination), resend, cancel, expiry; the state
 * machine of S-15; code generation and keyed hashing (S-01, S-02, S-40); the attempt and send caps.
 *
 * <p>It owns workflow progression (the next step, step timers, moving on after a failed, undelivered or
 * SIM-swap-blocked message, the skipped steps) because every step is a new code and codes are this module's;
 * {@code delivery} only carries messages and reports what became of them as
 * {@link dev.otpgate.delivery.DeliveryEvents}, which this module turns into durable jobs in the same
 * transaction. Every code it queues first passes the {@link dev.otpgate.verification.SendPolicy}: the
 * {@link dev.otpgate.verification.SendRule}s of this module (channel, SIM-swap block, send limits through
 * {@code ratelimit}) and of {@code fraud} (destination rules, spend cap). It publishes past-tense events for
 * audit, metrics and webhooks, which never sit on the start or check path.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Verification",
        allowedDependencies = {"platform", "apps", "access", "privacy", "delivery", "ratelimit", "audit"})
package dev.otpgate.verification;
