package dev.otpgate.delivery;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The {@code delivery_steps} table: one row per code sent, written by the worker and by receipts. A receipt
 * finds its step by provider and provider message id. Statuses only move forward ({@code sent} → {@code
 * delivered} | {@code undelivered}), so duplicate and out-of-order receipts change nothing.
 */
@Component
public class DeliverySteps implements ReceiptSink {

    /**
     * A step as the API shows it.
     *
     * @param status {@code queued}, {@code sent}, {@code delivered}, {@code undelivered}, {@code failed},
     *        {@code skipped} or {@code test}
     * @param reason why it failed, was skipped or ended, without secrets
     * @param providersTried providers tried before the one that took it, each with its failure
     */
    public record Step(int step, String channel, String provider, String status, String reason, Integer segments,
            String encoding, List<String> providersTried, Instant queuedAt, Instant sentAt, Instant deliveredAt) {}

    private static final Logger log = LoggerFactory.getLogger(DeliverySteps.class);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final ObjectProvider<DeliveryTracker> tracker;
    private final ProviderHealth health;

    DeliverySteps(JdbcClient jdbc, Clock clock, ObjectProvider<DeliveryTracker> tracker, ProviderHealth health) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.tracker = tracker;
        this.health = health;
    }

    /** A verification's steps, oldest first. A step queued but not yet taken up by a worker has no row yet. */
    public List<Step> forVerification(String verificationId) {
        return jdbc.sql("select step, channel, provider, status, reason, segments, encoding, providers_tried, queued_at, "
                        + "sent_at, delivered_at from delivery_steps where verification_id = ? order by step")
                .param(verificationId)
                .query((rs, row) -> new Step(rs.getInt("step"), rs.getString("channel"), rs.getString("provider"),
                        rs.getString("status"), rs.getString("reason"), (Integer) rs.getObject("segments"),
                        rs.getString("encoding"), tried(rs.getString("providers_tried")), instant(rs.getTimestamp("queued_at")),
                        instant(rs.getTimestamp("sent_at")), instant(rs.getTimestamp("delivered_at"))))
                .list();
    }

    /** True when this step already went out (a job that runs again after a crash must not send twice). */
    boolean alreadySent(String verificationId, int step) {
        return jdbc.sql("select count(*) from delivery_steps where verification_id = ? and step = ? "
                        + "and status in ('sent', 'delivered', 'undelivered', 'test')")
                .params(verificationId, step).query(Integer.class).single() > 0;
    }

    /** Writes the outcome of a step's send (or of its last try). */
    void record(DeliveryRequest request, String provider, String providerMessageId, String status, String reason,
            Integer segments, String encoding, List<String> providersTried) {
        Instant now = clock.instant();
        String tried = providersTried.isEmpty() ? null : truncate(String.join("; ", providersTried), 400);
        Timestamp sentAt = status.equals("sent") || status.equals("test") ? ts(now) : null;
        int updated = jdbc.sql("update delivery_steps set provider = ?, provider_message_id = ?, status = ?, reason = ?, "
                        + "segments = ?, encoding = ?, providers_tried = ?, sent_at = ?, updated_at = ? "
                        + "where verification_id = ? and step = ?")
                .params(provider, providerMessageId, status, truncate(reason, 200), segments, encoding, tried, sentAt,
                        ts(now), request.verificationId(), request.step())
                .update();
        if (updated == 0) {
            jdbc.sql("insert into delivery_steps (verification_id, step, app_id, channel, provider, provider_message_id, "
                            + "status, reason, segments, encoding, providers_tried, queued_at, sent_at, updated_at) "
                            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(request.verificationId(), request.step(), request.appId(), request.channel(), provider,
                            providerMessageId, status, truncate(reason, 200), segments, encoding, tried,
                            ts(request.queuedAt()), sentAt, ts(now))
                    .update();
        }
    }

    /** Notes why a step ended without a status of its own changing (a timeout, the client skipping ahead). */
    public void ended(String verificationId, int step, String reason) {
        jdbc.sql("update delivery_steps set reason = coalesce(reason, ?), updated_at = ? where verification_id = ? and step = ?")
                .params(reason, ts(clock.instant()), verificationId, step).update();
    }

    @Override
    public void accept(DeliveryReceipt receipt) {
        if (receipt.status() == DeliveryReceipt.Status.SENT || receipt.providerMessageId() == null) {
            return;
        }
        Instant now = clock.instant();
        String status = receipt.status() == DeliveryReceipt.Status.DELIVERED ? "delivered" : "undelivered";
        Optional<StepKey> step = jdbc.sql("select verification_id, step from delivery_steps "
                        + "where provider = ? and provider_message_id = ?")
                .params(receipt.providerId(), receipt.providerMessageId())
                .query((rs, row) -> new StepKey(rs.getString("verification_id"), rs.getInt("step"))).optional();
        if (step.isEmpty()) {
            log.debug("Receipt from {} for an unknown message", receipt.providerId());
            return;
        }
        int changed = jdbc.sql("update delivery_steps set status = ?, reason = ?, delivered_at = ?, updated_at = ? "
                        + "where verification_id = ? and step = ? and status in ('queued', 'sent')")
                .params(status, receipt.reason(), receipt.status() == DeliveryReceipt.Status.DELIVERED ? ts(receipt.at()) : null,
                        ts(now), step.get().verificationId(), step.get().step())
                .update();
        if (changed == 1) {
            health.receipt(receipt.providerId(), receipt.status() == DeliveryReceipt.Status.DELIVERED);
        }
        if (changed == 1 && receipt.status() == DeliveryReceipt.Status.UNDELIVERED) {
            tracker.getObject().undelivered(step.get().verificationId(), step.get().step(),
                    receipt.reason() == null ? "undelivered" : "undelivered: " + receipt.reason());
        }
    }

    private record StepKey(String verificationId, int step) {}

    private static List<String> tried(String value) {
        return value == null ? List.of() : List.of(value.split("; "));
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    private static Instant instant(Timestamp value) {
        return value == null ? null : value.toInstant();
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
