package dev.otpgate.delivery;

/**
 * A write another module owns that belongs with the record of a sent message, so that it costs no statement of
 * its own: on PostgreSQL the worker runs it as part of the one statement that records the send (a data-modifying
 * {@code WITH} clause), on H2 right after it in the same transaction. The verification module uses it to show the
 * step as sent on the verification.
 *
 * <p>It is for a plain write about the step just sent. It does not replace {@link DeliveryEvents.MessageSent}: that
 * event is still published in the same transaction, for writes that depend on what they read or that are not
 * always made (a step's timer, a webhook's outbox row).
 */
public interface SentStepWrite {

    /**
     * One {@code UPDATE}, {@code INSERT} or {@code DELETE} without a returning clause, valid on PostgreSQL and H2,
     * using only the named parameters {@code :verification_id}, {@code :step}, {@code :status} ({@code sent} or
     * {@code test}) and {@code :at} (the time of the send).
     */
    String sql();
}
