package dev.otpgate.delivery;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code delivery_steps} table: one row per step of a verification, written by the worker and by receipts,
 * and for a step the workflow skipped, by the workflow's owner through {@link #skipped}. A receipt finds its
 * step by provider and provider message id. Statuses only move forward ({@code sent} → {@code delivered} |
 * {@code undelivered}), so duplicate and out-of-order receipts change nothing. An undelivered receipt is
 * published as {@link DeliveryEvents.MessageUndelivered} in the transaction that records it.
 */
@Component
public class DeliverySteps implements ReceiptSink {

    /**
     * A step as the API shows it.
     *
     * @param status where the step's message stands
     * @param reason why it failed, was skipped or ended, without secrets
     * @param providersTried providers tried before the one that took it, each with its failure
     */
    public record Step(int step, String channel, String provider, StepStatus status, String reason, Integer segments,
            String encoding, List<String> providersTried, Instant queuedAt, Instant sentAt, Instant deliveredAt) {}

    private static final Logger log = LoggerFactory.getLogger(DeliverySteps.class);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final ProviderHealth health;

    DeliverySteps(JdbcClient jdbc, Clock clock, ApplicationEventPublisher events, TransactionTemplate transactions,
            ProviderHealth health) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.events = events;
        this.transactions = transactions;
        this.health = health;
    }

    /** A verification's steps, oldest first. A step queued but not yet taken up by a worker has no row yet. */
    public List<Step> forVerification(String verificationId) {
        return jdbc.sql("select step, channel, provider, status, reason, segments, encoding, providers_tried, queued_at, "
                        + "sent_at, delivered_at from delivery_steps where verification_id = ? order by step")
                .param(verificationId)
                .query((rs, row) -> new Step(rs.getInt("step"), rs.getString("channel"), rs.getString("provider"),
                        StepStatus.of(rs.getString("status")), rs.getString("reason"), (Integer) rs.getObject("segments"),
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

    /** The message went out through {@code provider} (or, for a test destination, was recorded without one). */
    void sent(DeliveryRequest request, String provider, SendResult result, List<String> tried, boolean test) {
        transactions.executeWithoutResult(tx -> {
            record(request, provider, result.providerMessageId(), test ? StepStatus.TEST : StepStatus.SENT, null, result.segments(),
                    result.encoding(), tried);
            events.publishEvent(new DeliveryEvents.MessageSent(request.verificationId(), request.step(),
                    request.channel(), provider, test, request.stepTimeoutSeconds(), clock.instant()));
        });
    }

    /** No provider took the message, for good. */
    void failed(DeliveryRequest request, String provider, String reason, List<String> tried) {
        transactions.executeWithoutResult(tx -> {
            record(request, provider, null, StepStatus.FAILED, reason, null, null, tried);
            events.publishEvent(new DeliveryEvents.MessageFailed(request.verificationId(), request.step(),
                    request.channel(), shortReason(reason), clock.instant()));
        });
    }

    /** Every provider failed for now; the job runs again. */
    void retrying(DeliveryRequest request, String reason, List<String> tried) {
        record(request, null, null, StepStatus.QUEUED, reason, null, null, tried);
    }

    /** A {@link SendGate} blocked the phone channels before the send. */
    void skippedByGate(DeliveryRequest request, String reason) {
        transactions.executeWithoutResult(tx -> {
            record(request, null, null, StepStatus.SKIPPED, reason, null, null, List.of());
            events.publishEvent(new DeliveryEvents.MessageSkipped(request.verificationId(), request.step(),
                    request.channel(), reason, clock.instant()));
        });
    }

    /** A queued message that cannot be opened (wrong key set, damaged row): its step fails without a record. */
    void unreadable(String instanceId, String reason) {
        int dash = instanceId.lastIndexOf('-');
        String verificationId = instanceId.substring(0, dash);
        int step = Integer.parseInt(instanceId.substring(dash + 1));
        transactions.executeWithoutResult(tx -> events.publishEvent(
                new DeliveryEvents.MessageFailed(verificationId, step, null, reason, clock.instant())));
    }

    private static String shortReason(String reason) {
        return reason == null || reason.length() <= 200 ? reason : reason.substring(0, 199) + "…";
    }

    /** Writes the outcome of a step's send (or of its last try). */
    private void record(DeliveryRequest request, String provider, String providerMessageId, StepStatus status, String reason,
            Integer segments, String encoding, List<String> providersTried) {
        Instant now = clock.instant();
        String tried = providersTried.isEmpty() ? null : truncate(String.join("; ", providersTried), 400);
        Timestamp sentAt = status == StepStatus.SENT || status == StepStatus.TEST ? ts(now) : null;
        int updated = jdbc.sql("update delivery_steps set provider = ?, provider_message_id = ?, status = ?, reason = ?, "
                        + "segments = ?, encoding = ?, providers_tried = ?, sent_at = ?, updated_at = ? "
                        + "where verification_id = ? and step = ?")
                .params(provider, providerMessageId, status.value(), truncate(reason, 200), segments, encoding, tried, sentAt,
                        ts(now), request.verificationId(), request.step())
                .update();
        if (updated == 0) {
            jdbc.sql("insert into delivery_steps (verification_id, step, app_id, channel, provider, provider_message_id, "
                            + "status, reason, segments, encoding, providers_tried, queued_at, sent_at, updated_at) "
                            + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .params(request.verificationId(), request.step(), request.appId(), request.channel(), provider,
                            providerMessageId, status.value(), truncate(reason, 200), segments, encoding, tried,
                            ts(request.queuedAt()), sentAt, ts(now))
                    .update();
        }
    }

    /**
     * Records a step that was never sent because a send rule refused its channel; {@code reason} is the rule's
     * problem type. Runs in the caller's transaction.
     */
    public void skipped(String verificationId, int step, String appId, String channel, String reason) {
        Timestamp now = ts(clock.instant());
        jdbc.sql("insert into delivery_steps (verification_id, step, app_id, channel, status, reason, queued_at, updated_at) "
                        + "values (?, ?, ?, ?, 'skipped', ?, ?, ?)")
                .params(verificationId, step, appId, channel, truncate(reason, 200), now, now)
                .update();
    }

    /**
     * Records a step whose message was withdrawn before a worker sent it (its code was replaced, or its
     * verification ended), so every step a verification had stays visible. A step with a record of its own
     * (retrying, or already sent by a worker that won the race) keeps it, unless it was still queued.
     */
    public void superseded(String verificationId, int step, String appId, String channel, String reason) {
        Timestamp now = ts(clock.instant());
        int updated = jdbc.sql("update delivery_steps set status = 'skipped', reason = ?, updated_at = ? "
                        + "where verification_id = ? and step = ? and status = 'queued'")
                .params(truncate(reason, 200), now, verificationId, step).update();
        if (updated == 0) {
            jdbc.sql("insert into delivery_steps (verification_id, step, app_id, channel, status, reason, queued_at, updated_at) "
                            + "select ?, ?, ?, ?, 'skipped', ?, ?, ? where not exists "
                            + "(select 1 from delivery_steps where verification_id = ? and step = ?)")
                    .params(verificationId, step, appId, channel, truncate(reason, 200), now, now, verificationId, step)
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
        StepStatus status = receipt.status() == DeliveryReceipt.Status.DELIVERED ? StepStatus.DELIVERED : StepStatus.UNDELIVERED;
        Optional<StepKey> step = jdbc.sql("select verification_id, step, channel from delivery_steps "
                        + "where provider = ? and provider_message_id = ?")
                .params(receipt.providerId(), receipt.providerMessageId())
                .query((rs, row) -> new StepKey(rs.getString("verification_id"), rs.getInt("step"), rs.getString("channel")))
                .optional();
        if (step.isEmpty()) {
            log.debug("Receipt from {} for an unknown message", receipt.providerId());
            return;
        }
        StepKey key = step.get();
        boolean delivered = receipt.status() == DeliveryReceipt.Status.DELIVERED;
        boolean changed = Boolean.TRUE.equals(transactions.execute(tx -> {
            int rows = jdbc.sql("update delivery_steps set status = ?, reason = ?, delivered_at = ?, updated_at = ? "
                            + "where verification_id = ? and step = ? and status in ('queued', 'sent')")
                    .params(status.value(), receipt.reason(), delivered ? ts(receipt.at()) : null, ts(now), key.verificationId(),
                            key.step())
                    .update();
            if (rows == 1 && !delivered) {
                events.publishEvent(new DeliveryEvents.MessageUndelivered(key.verificationId(), key.step(), key.channel(),
                        receipt.reason() == null ? "undelivered" : "undelivered: " + receipt.reason(), now));
            }
            return rows == 1;
        }));
        if (changed) {
            health.receipt(receipt.providerId(), delivered);
        }
    }

    private record StepKey(String verificationId, int step, String channel) {}

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
