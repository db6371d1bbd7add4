package dev.otpgate.delivery;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
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
class DeliverySteps implements ReceiptSink {

    private static final Logger log = LoggerFactory.getLogger(DeliverySteps.class);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final ObjectProvider<DeliveryTracker> tracker;

    DeliverySteps(JdbcClient jdbc, Clock clock, ObjectProvider<DeliveryTracker> tracker) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.tracker = tracker;
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
        if (changed == 1 && receipt.status() == DeliveryReceipt.Status.UNDELIVERED) {
            tracker.getObject().undelivered(step.get().verificationId(), step.get().step(),
                    receipt.reason() == null ? "undelivered" : "undelivered: " + receipt.reason());
        }
    }

    private record StepKey(String verificationId, int step) {}

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
