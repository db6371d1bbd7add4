package dev.otpgate.delivery.provider;

import java.util.List;
import java.util.Map;

/**
 * A provider's status callback, received at {@code POST /v1/providers/{provider_id}/receipts}. The
 * implementation verifies the provider's own signature (Twilio's {@code X-Twilio-Signature}, Vonage's signed
 * JWT, Standard Webhooks) and parses the receipts; anything unsigned or badly signed is refused, and nothing
 * changes (401).
 */
public interface ReceiptWebhook {

    /** The configured provider id this endpoint belongs to. */
    String providerId();

    /**
     * How long an accepted receipt is remembered, so the same receipt again changes nothing: a scheme with a
     * signed timestamp needs no more than its tolerance (later copies are refused for their age); one without a
     * timestamp is remembered for a day.
     */
    default java.time.Duration replayWindow() {
        return java.time.Duration.ofDays(1);
    }

    /**
     * @throws ReceiptRejectedException when the signature is missing or wrong, or the body is not a receipt
     */
    List<DeliveryReceipt> verify(ReceiptRequest request) throws ReceiptRejectedException;

    /**
     * A callback as received.
     *
     * @param url the URL the provider called, rebuilt from {@code otpgate.public-url} and the request path and
     *        query, so signatures verify behind proxies and TLS termination
     * @param headers header names in lower case
     * @param form the decoded form parameters when the body is {@code application/x-www-form-urlencoded}, else empty
     */
    record ReceiptRequest(String url, Map<String, List<String>> headers, String contentType, byte[] body,
            Map<String, List<String>> form) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    /** A receipt that cannot be trusted or read; the reason is logged and never echoed with secrets. */
    final class ReceiptRejectedException extends Exception {

        public ReceiptRejectedException(String reason) {
            super(reason);
        }
    }
}
