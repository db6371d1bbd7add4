package dev.otpgate.verification;

/**
 * One rule every send passes: a start, a resend on the same or another channel, the client's {@code next} and
 * every step the workflow takes by itself. {@link SendPolicy} asks the rules in
 * {@link org.springframework.core.annotation.Order} order and stops at the first refusal, so rules that count
 * (rate limits, the spend cap) come after the ones that only look.
 *
 * <p>A rule answers with a value and never throws for a refusal. It must be quick and must not call a provider:
 * starts and resends wait for it. Checks that need a remote API (the SIM-swap check) run where the message is
 * sent, in {@code delivery}.
 */
public interface SendRule {

    SendDecision evaluate(SendAttempt attempt);

    /**
     * The send this rule allowed did not happen after all: a later rule refused it, or the transaction that
     * would have queued it failed. A rule that reserved something for it (a share of a budget) gives it back.
     */
    default void abandoned(SendAttempt attempt) {}
}
