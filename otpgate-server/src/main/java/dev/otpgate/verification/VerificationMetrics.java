package dev.otpgate.verification;

import dev.otpgate.verification.VerificationEvents.VerificationApproved;
import dev.otpgate.verification.VerificationEvents.VerificationCanceled;
import dev.otpgate.verification.VerificationEvents.VerificationExpired;
import dev.otpgate.verification.VerificationEvents.VerificationFailed;
import dev.otpgate.verification.VerificationEvents.VerificationStarted;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Counters for the lifecycle, fed by events after commit (so a rolled-back start is not counted). Labels are
 * channel, country and reason only: never an id, a code or a destination (S-45).
 */
@Component
class VerificationMetrics {

    private final MeterRegistry meters;

    VerificationMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationStarted event) {
        meters.counter("otpgate.verifications.started", "channel", event.channel(),
                "country", event.countryCode() == null ? "none" : event.countryCode()).increment();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationApproved event) {
        meters.counter("otpgate.verifications.approved", "channel", event.channel()).increment();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationFailed event) {
        meters.counter("otpgate.verifications.failed", "channel", event.channel(), "reason", event.reason()).increment();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationExpired event) {
        meters.counter("otpgate.verifications.expired", "channel", event.channel()).increment();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationCanceled event) {
        meters.counter("otpgate.verifications.canceled", "channel", event.channel()).increment();
    }
}
