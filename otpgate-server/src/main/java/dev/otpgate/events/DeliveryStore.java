package dev.otpgate.events;

import static dev.otpgate.events.EndpointRepository.instant;
import static dev.otpgate.events.EndpointRepository.ts;

import dev.otpgate.platform.Ids;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code webhook_deliveries} and {@code webhook_attempts}. A node claims due deliveries by giving them a lease
 * under a token of its own ({@code FOR UPDATE SKIP LOCKED} keeps nodes off each other's candidates; the
 * conditional update settles any overlap), so two nodes never send the same delivery while its lease runs. A
 * crash leaves the lease to expire and another node (or this one, restarted) sends it again: at least once.
 * Every write after the attempt is conditional on the token, so a node whose lease ran out records nothing.
 */
@Repository
class DeliveryStore {

    /** A claimed delivery with what its attempt needs. */
    record Claimed(String id, String token, String eventId, String endpointId, String type, String payload, int attempts,
            Instant createdAt, Instant dueAt) {}

    /** A recent attempt, as {@code GET …/deliveries} shows it. */
    record Attempt(String deliveryId, int attempt, String eventId, String eventType, String outcome, Integer responseCode,
            long latencyMs, String error, Instant attemptedAt) {}

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;

    DeliveryStore(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    List<Claimed> claim(int limit, Instant now, Instant leaseUntil) {
        String token = Ids.newId("lease");
        Integer claimed = transactions.execute(status -> {
            List<String> ids = jdbc.sql("select id from webhook_deliveries where status = 'pending' and next_attempt_at <= ? "
                            + "and (locked_until is null or locked_until < ?) "
                            + "and endpoint_id in (select id from webhook_endpoints where enabled = true) "
                            + "order by next_attempt_at fetch first " + limit + " rows only for update skip locked")
                    .params(ts(now), ts(now)).query(String.class).list();
            int count = 0;
            for (String id : ids) {
                count += jdbc.sql("update webhook_deliveries set locked_by = ?, locked_until = ? where id = ? "
                                + "and status = 'pending' and (locked_until is null or locked_until < ?)")
                        .params(token, ts(leaseUntil), id, ts(now)).update();
            }
            return count;
        });
        if (claimed == null || claimed == 0) {
            return List.of();
        }
        return jdbc.sql("select d.id, d.event_id, d.endpoint_id, d.attempts, d.created_at, d.next_attempt_at, e.type, e.payload "
                        + "from webhook_deliveries d join webhook_events e on e.id = d.event_id where d.locked_by = ? "
                        + "order by d.next_attempt_at")
                .param(token)
                .query((rs, row) -> new Claimed(rs.getString("id"), token, rs.getString("event_id"), rs.getString("endpoint_id"),
                        rs.getString("type"), rs.getString("payload"), rs.getInt("attempts"), instant(rs, "created_at"),
                        instant(rs, "next_attempt_at")))
                .list();
    }

    /**
     * Records an attempt and what follows: {@code nextAttempt} empty ends the delivery with {@code finalStatus}.
     *
     * @return false when the lease was lost (another node owns the delivery now) or the endpoint was deleted
     */
    boolean recordAttempt(Claimed claimed, String outcome, Integer responseCode, long latencyMs, String error,
            Optional<Instant> nextAttempt, String finalStatus, Instant now) {
        int updated = nextAttempt.isPresent()
                ? jdbc.sql("update webhook_deliveries set attempts = attempts + 1, next_attempt_at = ?, locked_by = null, "
                                + "locked_until = null, updated_at = ? where id = ? and locked_by = ?")
                        .params(ts(nextAttempt.get()), ts(now), claimed.id(), claimed.token()).update()
                : jdbc.sql("update webhook_deliveries set attempts = attempts + 1, status = ?, locked_by = null, "
                                + "locked_until = null, updated_at = ? where id = ? and locked_by = ?")
                        .params(finalStatus, ts(now), claimed.id(), claimed.token()).update();
        if (updated == 0) {
            return false;
        }
        jdbc.sql("insert into webhook_attempts (delivery_id, attempt, endpoint_id, event_id, event_type, outcome, "
                        + "response_code, latency_ms, error, attempted_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(claimed.id(), claimed.attempts() + 1, claimed.endpointId(), claimed.eventId(), claimed.type(), outcome,
                        responseCode, latencyMs, error, ts(now))
                .update();
        return true;
    }

    /** Gives a claimed delivery back untried (this node is stopping, or its endpoint was switched off meanwhile). */
    void release(Claimed claimed) {
        jdbc.sql("update webhook_deliveries set locked_by = null, locked_until = null where id = ? and locked_by = ?")
                .params(claimed.id(), claimed.token()).update();
    }

    List<Attempt> recent(String endpointId, int limit) {
        return jdbc.sql("select delivery_id, attempt, event_id, event_type, outcome, response_code, latency_ms, error, "
                        + "attempted_at from webhook_attempts where endpoint_id = ? "
                        + "order by attempted_at desc, attempt desc fetch first " + limit + " rows only")
                .param(endpointId)
                .query((rs, row) -> new Attempt(rs.getString("delivery_id"), rs.getInt("attempt"), rs.getString("event_id"),
                        rs.getString("event_type"), rs.getString("outcome"),
                        rs.getObject("response_code") == null ? null : rs.getInt("response_code"), rs.getLong("latency_ms"),
                        rs.getString("error"), instant(rs, "attempted_at")))
                .list();
    }

    /** Queues again, as new deliveries, the endpoint's app events in [since, until) that its filter takes. */
    int replay(WebhookEndpoint endpoint, Instant since, Instant until, Instant now, int limit) {
        List<String[]> events = jdbc.sql("select id, type from webhook_events where app_id = ? and endpoint_id is null "
                        + "and created_at >= ? and created_at < ? order by created_at fetch first " + limit + " rows only")
                .params(endpoint.appId(), ts(since), ts(until))
                .query((rs, row) -> new String[] {rs.getString("id"), rs.getString("type")}).list();
        int queued = 0;
        for (String[] event : events) {
            Optional<EventType> type = EventType.of(event[1]);
            if (type.isPresent() && endpoint.events().matches(type.get())) {
                jdbc.sql("insert into webhook_deliveries (id, event_id, endpoint_id, status, attempts, next_attempt_at, "
                                + "created_at, updated_at) values (?, ?, ?, 'pending', 0, ?, ?, ?)")
                        .params(Ids.newId("whd"), event[0], endpoint.id(), ts(now), ts(now), ts(now)).update();
                queued++;
            }
        }
        return queued;
    }

    /** Deletes events (with their deliveries and attempts) older than {@code before} that wait for nothing. */
    int forgetOlderThan(Instant before) {
        return jdbc.sql("delete from webhook_events where created_at < ? and not exists (select 1 from webhook_deliveries d "
                        + "where d.event_id = webhook_events.id and d.status = 'pending')")
                .param(ts(before)).update();
    }
}
