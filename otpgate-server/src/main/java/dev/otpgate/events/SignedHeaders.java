package dev.otpgate.events;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The Standard Webhooks headers of one attempt: the event's id (the same on every retry), the attempt's own
 * timestamp, and one {@code v1,} signature per secret that signs now, space-separated.
 */
@Component
class SignedHeaders {

    private final EndpointSecrets secrets;
    private final Clock clock;

    SignedHeaders(EndpointSecrets secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
    }

    Map<String, String> of(WebhookEndpoint endpoint, String messageId, String payload) {
        Instant now = clock.instant();
        long timestamp = now.getEpochSecond();
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        List<String> signatures = secrets.signing(endpoint, now).stream()
                .map(secret -> Signatures.sign(secret, messageId, timestamp, body)).toList();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", messageId);
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", String.join(" ", signatures));
        return headers;
    }
}
