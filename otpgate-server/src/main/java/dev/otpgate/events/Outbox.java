package dev.otpgate.events;

import dev.otpgate.platform.Ids;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an event and one delivery per subscribed endpoint, on the caller's connection: called from listeners
 * that run in the publisher's transaction, so the rows commit or roll back with the state change they report.
 * Once the transaction commits, this node's dispatcher is woken.
 */
@Component
class Outbox {

    private final JdbcClient jdbc;
    private final Subscriptions subscriptions;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Clock clock;
    private final WebhookProperties properties;
    private final DispatchSignal signal;

    Outbox(JdbcClient jdbc, Subscriptions subscriptions, Clock clock, WebhookProperties properties, DispatchSignal signal) {
        this.jdbc = jdbc;
        this.subscriptions = subscriptions;
        this.clock = clock;
        this.properties = properties;
        this.signal = signal;
    }

    /** Records {@code type} for every endpoint of {@code appId} that subscribes to it; nothing when none does. */
    void record(String appId, EventType type, Instant occurredAt, Map<String, Object> data) {
        if (appId == null) {
            return;
        }
        List<Subscriptions.Subscription> subscribed = subscriptions.of(appId, type);
        if (subscribed.isEmpty()) {
            return;
        }
        String eventId = insertEvent(appId, type, null, occurredAt, data);
        Instant now = clock.instant();
        for (Subscriptions.Subscription subscription : subscribed) {
            insertDelivery(eventId, subscription.endpointId(), now);
        }
        signal.wakeAfterCommit();
    }

    /** A {@code webhook.test} event for one endpoint; returns its message id. */
    String test(String appId, String endpointId) {
        Instant now = clock.instant();
        String eventId = insertEvent(appId, EventType.WEBHOOK_TEST, endpointId, now,
                Map.of("endpoint_id", endpointId, "app_id", appId));
        insertDelivery(eventId, endpointId, now);
        signal.wakeAfterCommit();
        signal.wake();
        return eventId;
    }

    private String insertEvent(String appId, EventType type, String endpointId, Instant occurredAt, Map<String, Object> data) {
        String eventId = Ids.newId("msg");
        String payload = json.writeValueAsString(Payloads.envelope(type, occurredAt, data));
        if (payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > properties.maxPayloadBytes()) {
            payload = json.writeValueAsString(Payloads.envelope(type, occurredAt, Payloads.identifiersOnly(data)));
        }
        jdbc.sql("insert into webhook_events (id, app_id, type, endpoint_id, payload, created_at) values (?, ?, ?, ?, ?, ?)")
                .params(eventId, appId, type.value(), endpointId, payload, Timestamp.from(clock.instant()))
                .update();
        return eventId;
    }

    void insertDelivery(String eventId, String endpointId, Instant now) {
        jdbc.sql("insert into webhook_deliveries (id, event_id, endpoint_id, status, attempts, next_attempt_at, created_at, "
                        + "updated_at) values (?, ?, ?, 'pending', 0, ?, ?, ?)")
                .params(Ids.newId("whd"), eventId, endpointId, Timestamp.from(now), Timestamp.from(now), Timestamp.from(now))
                .update();
    }
}
