package dev.otpgate.events;

import static dev.otpgate.events.Payloads.data;

import dev.otpgate.delivery.DeliveryEvents.MessageDelivered;
import dev.otpgate.delivery.DeliveryEvents.MessageFailed;
import dev.otpgate.delivery.DeliveryEvents.MessageSent;
import dev.otpgate.delivery.DeliveryEvents.MessageUndelivered;
import dev.otpgate.fraud.FraudSuspected;
import dev.otpgate.totp.TotpEvents.FactorActivated;
import dev.otpgate.totp.TotpEvents.FactorLocked;
import dev.otpgate.totp.TotpEvents.FactorRevoked;
import dev.otpgate.verification.VerificationEvents.VerificationApproved;
import dev.otpgate.verification.VerificationEvents.VerificationCanceled;
import dev.otpgate.verification.VerificationEvents.VerificationExpired;
import dev.otpgate.verification.VerificationEvents.VerificationFailed;
import dev.otpgate.verification.VerificationEvents.VerificationStarted;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The domain events the catalogue reports, turned into outbox rows. Plain {@code @EventListener}s: they run in
 * the publisher's thread and transaction, so each event is committed with the state change it reports (every
 * publisher publishes inside that transaction), or not at all.
 */
@Component
class DomainEventListeners {

    private final Outbox outbox;

    DomainEventListeners(Outbox outbox) {
        this.outbox = outbox;
    }

    @EventListener
    void on(VerificationStarted e) {
        outbox.record(e.appId(), EventType.VERIFICATION_STARTED, e.at(), data("verification_id", e.verificationId(),
                "app_id", e.appId(), "status", "pending", "channel", e.channel(), "destination_type", e.destinationType(),
                "country", e.countryCode(), "number_range", e.prefix(), "created_at", e.at()));
    }

    @EventListener
    void on(VerificationApproved e) {
        outbox.record(e.appId(), EventType.VERIFICATION_APPROVED, e.at(), data("verification_id", e.verificationId(),
                "app_id", e.appId(), "status", "approved", "channel", e.channel(), "country", e.countryCode(),
                "number_range", e.prefix(), "approved_at", e.at()));
    }

    @EventListener
    void on(VerificationCanceled e) {
        outbox.record(e.appId(), EventType.VERIFICATION_CANCELED, e.at(), data("verification_id", e.verificationId(),
                "app_id", e.appId(), "status", "canceled", "channel", e.channel(), "canceled_at", e.at()));
    }

    @EventListener
    void on(VerificationExpired e) {
        outbox.record(e.appId(), EventType.VERIFICATION_EXPIRED, e.at(), data("verification_id", e.verificationId(),
                "app_id", e.appId(), "status", "expired", "channel", e.channel(), "expired_at", e.at()));
    }

    @EventListener
    void on(VerificationFailed e) {
        outbox.record(e.appId(), EventType.VERIFICATION_FAILED, e.at(), data("verification_id", e.verificationId(),
                "app_id", e.appId(), "status", "failed", "channel", e.channel(), "reason", e.reason(), "failed_at", e.at()));
    }

    @EventListener
    void on(MessageSent e) {
        outbox.record(e.appId(), EventType.DELIVERY_SENT, e.at(), data("verification_id", e.verificationId(),
                "app_id", e.appId(), "step", e.step(), "status", "sent", "channel", e.channel(), "provider", e.providerId(),
                "test", e.test() ? Boolean.TRUE : null, "sent_at", e.at()));
    }

    @EventListener
    void on(MessageDelivered e) {
        outbox.record(e.appId(), EventType.DELIVERY_DELIVERED, e.at(), data("verification_id", e.verificationId(),
                "app_id", e.appId(), "step", e.step(), "status", "delivered", "channel", e.channel(),
                "provider", e.providerId(), "delivered_at", e.at()));
    }

    @EventListener
    void on(MessageUndelivered e) {
        outbox.record(e.appId(), EventType.DELIVERY_UNDELIVERED, e.at(), data("verification_id", e.verificationId(),
                "app_id", e.appId(), "step", e.step(), "status", "undelivered", "channel", e.channel(),
                "provider", e.providerId(), "reason", e.reason(), "reported_at", e.at()));
    }

    @EventListener
    void on(MessageFailed e) {
        outbox.record(e.appId(), EventType.DELIVERY_FAILED, e.at(), data("verification_id", e.verificationId(),
                "app_id", e.appId(), "step", e.step(), "status", "failed", "channel", e.channel(), "provider", e.providerId(),
                "reason", e.reason(), "failed_at", e.at()));
    }

    @EventListener
    void on(FraudSuspected e) {
        EventType type = "blocked".equals(e.action()) ? EventType.FRAUD_BLOCKED : EventType.FRAUD_FLAGGED;
        outbox.record(e.appId(), type, e.at(), data("flag_id", e.flagId(), "app_id", e.appId(), "status", e.action(),
                "reason", e.reason(), "country", e.country(), "number_range", e.prefix(), "starts", e.starts(),
                "approvals", e.approvals(), "flagged_at", e.at()));
    }

    @EventListener
    void on(FactorActivated e) {
        outbox.record(e.appId(), EventType.TOTP_FACTOR_ACTIVATED, e.at(), data("factor_id", e.factorId(), "app_id", e.appId(),
                "status", "active", "activated_at", e.at()));
    }

    @EventListener
    void on(FactorLocked e) {
        outbox.record(e.appId(), EventType.TOTP_FACTOR_LOCKED, e.at(), data("factor_id", e.factorId(), "app_id", e.appId(),
                "status", "locked", "locked_until", e.until(), "locked_at", e.at()));
    }

    @EventListener
    void on(FactorRevoked e) {
        outbox.record(e.appId(), EventType.TOTP_FACTOR_DELETED, e.at(), data("factor_id", e.factorId(), "app_id", e.appId(),
                "status", "deleted", "deleted_at", e.at()));
    }
}
