package dev.otpgate.verification;

import dev.otpgate.verification.VerificationEvents.VerificationApproved;
import dev.otpgate.verification.VerificationEvents.VerificationCanceled;
import dev.otpgate.verification.VerificationEvents.VerificationExpired;
import dev.otpgate.verification.VerificationEvents.VerificationFailed;
import dev.otpgate.verification.VerificationEvents.VerificationStarted;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Counters for the lifecycle, fed by events after commit (so a rolled-back start is not counted). Labels are
 * channel, country and reason only: never an id, a code or a destination (S-45). Each counter is registered once
 * and kept here by name and labels, so an event only increments it (a lookup in the registry builds the meter's
 * id and tags on every call).
 */
@Component
class VerificationMetrics {

    private final MeterRegistry meters;
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

    VerificationMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationStarted event) {
        counter("otpgate.verifications.started", "channel", event.channel(),
                "country", event.countryCode() == null ? "none" : event.countryCode()).increment();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationApproved event) {
        counter("otpgate.verifications.approved", "channel", event.channel()).increment();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationFailed event) {
        counter("otpgate.verifications.failed", "channel", event.channel(), "reason", event.reason()).increment();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationExpired event) {
        counter("otpgate.verifications.expired", "channel", event.channel()).increment();
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationCanceled event) {
        counter("otpgate.verifications.canceled", "channel", event.channel()).increment();
    }

    /** The counter of {@code name} with these label pairs, registered on first use. */
    private Counter counter(String name, String... tags) {
        List<String> key = new java.util.ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(List.of(tags));
        return counters.computeIfAbsent(key, k -> meters.counter(name, tags));
    }
}
