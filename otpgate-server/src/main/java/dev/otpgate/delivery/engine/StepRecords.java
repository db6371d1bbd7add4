package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.SendGate;
import dev.otpgate.delivery.DeliveryEvents;
import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.delivery.StepStatus;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.ReceiptSink;
import dev.otpgate.delivery.provider.SendResult;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
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
 * The worker's and the receipts' writes to {@code delivery_steps}: each outcome of a send is recorded and, in the
 * same transaction, published as a {@link DeliveryEvents} record for the workflow's owner. A receipt finds its
 * step by provider and provider message id: the newest step sent with that id in the last
 * {@link #MESSAGE_ID_WINDOW}, since SMSCs reuse their ids after a while. Statuses only move forward ({@code sent}
 * → {@code delivered} | {@code undelivered}), so duplicate and out-of-order receipts change nothing.
 *
 * <p>A receipt that finds no step may have overtaken its send: an SMSC can send {@code deliver_sm} right behind
 * {@code submit_sm_resp}, before the worker stored the message id. Such a receipt is held for
 * {@link #EARLY_RECEIPT_AGE} ({@link EarlyReceipts}, at most {@link #EARLY_RECEIPTS} of them) and applied as soon
 * as the send is recorded. This is one node's memory: it does not cover a receipt that reaches another node than
 * the one that sent, nor a restart in between. Nor does it tell an early receipt for a reused id from a late one
 * for the id's previous holder: while that step is in the window, the receipt goes to it.
 */
@Component
class StepRecords implements ReceiptSink {

    private static final Logger log = LoggerFactory.getLogger(StepRecords.class);

    /** How far back a receipt looks for its step: longer than any SMSC keeps a message, shorter than id reuse. */
    static final Duration MESSAGE_ID_WINDOW = Duration.ofDays(7);
    static final int EARLY_RECEIPTS = 10_000;
    static final Duration EARLY_RECEIPT_AGE = Duration.ofMinutes(2);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final ProviderHealth health;
    private final SentRecord sentRecord;
    private final HandoffJobs jobs;
    private final EarlyReceipts early = new EarlyReceipts(EARLY_RECEIPTS, EARLY_RECEIPT_AGE);

    StepRecords(JdbcClient jdbc, Clock clock, ApplicationEventPublisher events, TransactionTemplate transactions,
            ProviderHealth health, SentRecord sentRecord, HandoffJobs jobs) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.events = events;
        this.transactions = transactions;
        this.health = health;
        this.sentRecord = sentRecord;
        this.jobs = jobs;
    }

    /** True when this step already went out (a job that runs again after a crash must not send twice). */
    boolean alreadySent(String verificationId, int step) {
        return jdbc.sql("select count(*) from delivery_steps where verification_id = ? and step = ? "
                        + "and status in ('sent', 'delivered', 'undelivered', 'test')")
                .params(verificationId, step).query(Integer.class).single() > 0;
    }

    /**
     * The message went out through {@code provider} (or, for a test destination, was recorded without one). On
     * PostgreSQL the record is one statement ({@link SentRecord}); the events' listeners write beside it in the same
     * transaction only when they have something to write.
     *
     * @param job the hand-off's job row, removed with the record; {@code null} on db-scheduler's own run, which
     *        removes its row itself once the run returns
     */
    void sent(DeliveryRequest request, String provider, SendResult result, List<String> tried, boolean test, HeldJob job) {
        Instant at = clock.instant();
        transactions.executeWithoutResult(tx -> {
            sentRecord.write(request, provider, result.providerMessageId(), test ? StepStatus.TEST : StepStatus.SENT,
                    result.segments(), result.encoding(), tried(tried), at, job);
            events.publishEvent(new DeliveryEvents.MessageSent(request.verificationId(), request.appId(), request.step(),
                    request.channel(), provider, test, request.stepTimeoutSeconds(), at));
        });
        // After the commit: a receipt that arrives from now on finds the step itself.
        if (!test && result.providerMessageId() != null) {
            DeliveryReceipt receipt = early.take(provider, result.providerMessageId(), clock.instant());
            if (receipt != null) {
                try {
                    apply(new StepKey(request.verificationId(), request.step(), request.channel(), request.appId()), receipt);
                } catch (RuntimeException e) {
                    log.warn("Receipt from {} for {} arrived before its send and could not be applied: {}", provider,
                            request, e.getMessage());
                }
            }
        }
    }

    /** No provider took the message, for good. {@code job}: as for {@link #sent}. */
    void failed(DeliveryRequest request, String provider, String reason, List<String> tried, HeldJob job) {
        transactions.executeWithoutResult(tx -> {
            record(request, provider, null, StepStatus.FAILED, reason, null, null, tried);
            finish(job);
            events.publishEvent(new DeliveryEvents.MessageFailed(request.verificationId(), request.appId(), request.step(),
                    request.channel(), provider, shortReason(reason), clock.instant()));
        });
    }

    /** Every provider failed for now; the job runs again. */
    void retrying(DeliveryRequest request, String reason, List<String> tried) {
        record(request, null, null, StepStatus.QUEUED, reason, null, null, tried);
    }

    /** A {@link SendGate} blocked the phone channels before the send. {@code job}: as for {@link #sent}. */
    void skippedByGate(DeliveryRequest request, String reason, HeldJob job) {
        transactions.executeWithoutResult(tx -> {
            record(request, null, null, StepStatus.SKIPPED, reason, null, null, List.of());
            finish(job);
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
                new DeliveryEvents.MessageFailed(verificationId, null, step, null, null, reason, clock.instant())));
    }

    private void finish(HeldJob job) {
        if (job != null) {
            jobs.delete(job);
        }
    }

    private static String tried(List<String> providersTried) {
        return providersTried.isEmpty() ? null : truncate(String.join("; ", providersTried), 400);
    }

    private static String shortReason(String reason) {
        return reason == null || reason.length() <= 200 ? reason : reason.substring(0, 199) + "…";
    }

    /** Writes the outcome of a step's send (or of its last try). */
    private void record(DeliveryRequest request, String provider, String providerMessageId, StepStatus status, String reason,
            Integer segments, String encoding, List<String> providersTried) {
        Instant now = clock.instant();
        String tried = tried(providersTried);
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

    @Override
    public void accept(DeliveryReceipt receipt) {
        if (receipt.status() == DeliveryReceipt.Status.SENT || receipt.providerMessageId() == null) {
            return;
        }
        Optional<StepKey> step = find(receipt);
        if (step.isEmpty()) {
            early.hold(receipt, clock.instant());
            // The send may have been recorded between the lookup and the hold, and looked for held receipts before
            // this one was there: look again. Whoever takes the held receipt applies it, so it is applied once.
            step = find(receipt);
            if (step.isEmpty()) {
                log.debug("Receipt from {} for a message not recorded (yet); held", receipt.providerId());
                return;
            }
            if (early.take(receipt.providerId(), receipt.providerMessageId(), clock.instant()) == null) {
                return;
            }
        }
        apply(step.get(), receipt);
    }

    /** The newest step sent through this provider with this message id within {@link #MESSAGE_ID_WINDOW}. */
    private Optional<StepKey> find(DeliveryReceipt receipt) {
        return jdbc.sql("select verification_id, step, channel, app_id from delivery_steps "
                        + "where provider = ? and provider_message_id = ? and sent_at >= ? "
                        + "order by sent_at desc, verification_id desc, step desc fetch first 1 rows only")
                .params(receipt.providerId(), receipt.providerMessageId(), ts(clock.instant().minus(MESSAGE_ID_WINDOW)))
                .query((rs, row) -> new StepKey(rs.getString("verification_id"), rs.getInt("step"), rs.getString("channel"),
                        rs.getString("app_id")))
                .optional();
    }

    private void apply(StepKey key, DeliveryReceipt receipt) {
        Instant now = clock.instant();
        boolean delivered = receipt.status() == DeliveryReceipt.Status.DELIVERED;
        StepStatus status = delivered ? StepStatus.DELIVERED : StepStatus.UNDELIVERED;
        boolean changed = Boolean.TRUE.equals(transactions.execute(tx -> {
            int rows = jdbc.sql("update delivery_steps set status = ?, reason = ?, delivered_at = ?, updated_at = ? "
                            + "where verification_id = ? and step = ? and status in ('queued', 'sent')")
                    .params(status.value(), receipt.reason(), delivered ? ts(receipt.at()) : null, ts(now), key.verificationId(),
                            key.step())
                    .update();
            if (rows == 1 && delivered) {
                events.publishEvent(new DeliveryEvents.MessageDelivered(key.verificationId(), key.appId(), key.step(),
                        key.channel(), receipt.providerId(), receipt.at()));
            } else if (rows == 1) {
                events.publishEvent(new DeliveryEvents.MessageUndelivered(key.verificationId(), key.appId(), key.step(),
                        key.channel(), receipt.providerId(),
                        receipt.reason() == null ? "undelivered" : "undelivered: " + receipt.reason(), now));
            }
            return rows == 1;
        }));
        if (changed) {
            health.receipt(receipt.providerId(), delivered);
        }
    }

    private record StepKey(String verificationId, int step, String channel, String appId) {}

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
