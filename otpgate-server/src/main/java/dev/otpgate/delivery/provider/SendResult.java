package dev.otpgate.delivery.provider;

/**
 * A provider's acceptance of a message.
 *
 * @param providerMessageId the provider's id for the message, which its receipts quote; null when it has none
 * @param segments SMS segments used, when the provider or the renderer knows; null otherwise
 * @param encoding {@code GSM-7} or {@code UCS-2} for SMS; null otherwise
 */
public record SendResult(String providerMessageId, Integer segments, String encoding) {

    public static SendResult of(String providerMessageId) {
        return new SendResult(providerMessageId, null, null);
    }
}
