package dev.otpgate.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * What an attempt's {@link Verdict} does: the attempt recorded, the delivery ended or rescheduled by the
 * {@link RetrySchedule}, the endpoint's failing streak moved, and the attempt counted.
 */
@Component
class AttemptOutcomes {

    private final DeliveryStore deliveries;
    private final RetrySchedule schedule;
    private final EndpointHealth health;
    private final WebhookMetrics metrics;
    private final Clock clock;

    AttemptOutcomes(DeliveryStore deliveries, RetrySchedule schedule, EndpointHealth health, WebhookMetrics metrics,
            Clock clock) {
        this.deliveries = deliveries;
        this.schedule = schedule;
        this.health = health;
        this.metrics = metrics;
        this.clock = clock;
    }

    void record(WebhookEndpoint endpoint, DeliveryStore.Claimed claimed, Verdict verdict, Duration took) {
        Instant now = clock.instant();
        long millis = took.toMillis();
        switch (verdict) {
            case Verdict.Succeeded ok -> {
                if (deliveries.recordAttempt(claimed, "succeeded", ok.status(), millis, null, Optional.empty(), "succeeded", now)) {
                    health.succeeded(endpoint);
                }
                metrics.attempt(claimed.type(), WebhookMetrics.Outcome.SUCCEEDED, took);
            }
            case Verdict.Gone gone -> {
                if (deliveries.recordAttempt(claimed, "failed", 410, millis, "gone", Optional.empty(), "failed", now)) {
                    health.gone(endpoint, now);
                }
                metrics.attempt(claimed.type(), WebhookMetrics.Outcome.FAILED, took);
            }
            case Verdict.Failed failed -> {
                Optional<Instant> next = schedule.next(claimed.attempts() + 1, now, failed.retryAfter());
                if (deliveries.recordAttempt(claimed, "failed", failed.status(), millis, failed.error(), next, "failed", now)) {
                    health.failed(endpoint, now);
                }
                metrics.attempt(claimed.type(), next.isPresent() ? WebhookMetrics.Outcome.RETRYING : WebhookMetrics.Outcome.FAILED,
                        took);
            }
        }
    }
}
