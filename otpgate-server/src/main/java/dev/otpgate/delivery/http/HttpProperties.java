package dev.otpgate.delivery.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One generic HTTP provider's keys under {@code otpgate.providers.<id>.*}. {@link #toString()} leaves out the
 * URL, the headers and the body, which may hold credentials.
 *
 * @param url the request URL, with placeholders in its path or query (never in its scheme or host)
 * @param headers request headers; values may hold placeholders
 * @param body the request body template (POST only)
 * @param from the default sender for {@code {from}} when the app has none
 * @param successStatus the statuses that mean accepted; empty: any 2xx
 * @param messageIdPointer a JSON Pointer to the gateway's message id in its JSON answer; unset: the message
 *        reference is the id (put {@code {reference}} in the request so the gateway's receipts can quote it)
 * @param sslBundle the Spring Boot SSL bundle ({@code spring.ssl.bundle.*}) whose trust material alone this
 *        provider trusts; unset: the JVM's trust store
 */
record HttpProperties(
        @DefaultValue("http") String type,
        @DefaultValue("POST") String method,
        String url,
        @DefaultValue Map<String, String> headers,
        @DefaultValue("application/json") String contentType,
        String body,
        String from,
        @DefaultValue List<Integer> successStatus,
        String messageIdPointer,
        @DefaultValue("false") boolean insecureHttp,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("10s") Duration readTimeout,
        @DefaultValue("100") int priority,
        @DefaultValue("sms") List<String> channels,
        @DefaultValue Receipts receipts,
        String sslBundle) {

    /**
     * Standard Webhooks receipts.
     *
     * @param secret {@code whsec_} followed by the base64 key; unset: every receipt is refused
     * @param tolerance how far {@code webhook-timestamp} may be from the server's clock
     */
    record Receipts(
            String secret,
            @DefaultValue("/message_id") String messageIdPointer,
            @DefaultValue("/status") String statusPointer,
            String reasonPointer,
            @DefaultValue("delivered") List<String> deliveredValues,
            @DefaultValue({"undelivered", "failed", "rejected", "expired"}) List<String> undeliveredValues,
            @DefaultValue("5m") Duration tolerance) {

        @Override
        public String toString() {
            return "Receipts[statusPointer=" + statusPointer + "]";
        }
    }

    @Override
    public String toString() {
        return "HttpProperties[method=" + method + ", channels=" + channels + "]";
    }
}
