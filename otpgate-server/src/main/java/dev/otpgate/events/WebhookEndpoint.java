package dev.otpgate.events;

import java.time.Instant;

/**
 * A registered endpoint. Its secrets stay sealed here ({@link EndpointSecrets} opens them for signing only).
 *
 * @param disabledReason {@code gone} (it answered 410), {@code failing} (five days of failures) or {@code null}
 */
record WebhookEndpoint(String id, String appId, String url, String description, EventFilter events, boolean enabled,
        String disabledReason, byte[] secret, byte[] previousSecret, Instant previousExpiresAt, Instant failingSince,
        Instant createdAt, Instant updatedAt) {

    @Override
    public String toString() {
        return "WebhookEndpoint[" + id + "]";
    }
}
