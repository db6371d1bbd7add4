package dev.otpgate.delivery.provider;

import java.time.Instant;

/**
 * A provider's report on a message it accepted: from an SMPP {@code deliver_sm} or an HTTP status callback.
 *
 * @param providerId the provider's configured id
 * @param providerMessageId the id the provider returned when it accepted the message
 * @param status what became of it
 * @param reason a short reason without secrets (an error code), or null
 * @param at when the provider says it happened, or when the receipt arrived
 */
public record DeliveryReceipt(String providerId, String providerMessageId, Status status, String reason, Instant at) {

    public enum Status {
        /** Accepted or en route: changes nothing that is already known. */
        SENT,
        DELIVERED,
        /** Failed, rejected, expired or undeliverable: the workflow moves to its next step. */
        UNDELIVERED
    }
}
