package dev.otpgate.events;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * One attempt of a claimed delivery: the URL checked again (resolved now, every address judged, connected to
 * directly), the body signed afresh (same {@code webhook-id}, new timestamp, one signature per signing secret),
 * the reply judged, and the outcome recorded with the next attempt's time from the {@link RetrySchedule}.
 */
@Component
class AttemptRunner {

    private final EndpointRepository endpoints;
    private final EndpointSecrets secrets;
    private final DeliveryStore deliveries;
    private final WebhookTargets targets;
    private final PinnedHttps https;
    private final RetrySchedule schedule;
    private final EndpointHealth health;
    private final WebhookMetrics metrics;
    private final WebhookProperties properties;
    private final Clock clock;

    AttemptRunner(EndpointRepository endpoints, EndpointSecrets secrets, DeliveryStore deliveries, WebhookTargets targets,
            PinnedHttps https, RetrySchedule schedule, EndpointHealth health, WebhookMetrics metrics,
            WebhookProperties properties, Clock clock) {
        this.endpoints = endpoints;
        this.secrets = secrets;
        this.deliveries = deliveries;
        this.targets = targets;
        this.https = https;
        this.schedule = schedule;
        this.health = health;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
    }

    void run(DeliveryStore.Claimed claimed) {
        Optional<WebhookEndpoint> found = endpoints.find(claimed.endpointId());
        if (found.isEmpty() || !found.get().enabled()) {
            deliveries.release(claimed);
            return;
        }
        WebhookEndpoint endpoint = found.get();
        long started = System.nanoTime();
        Verdict verdict = switch (targets.check(endpoint.url())) {
            case WebhookTargets.Refused refused -> new Verdict.Failed(null, "refused:" + refused.rule(), null);
            case WebhookTargets.Allowed allowed -> Verdict.of(https.post(allowed, headers(endpoint, claimed),
                    claimed.payload().getBytes(StandardCharsets.UTF_8), properties.timeout()));
        };
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        record(endpoint, claimed, verdict, took);
    }

    private Map<String, String> headers(WebhookEndpoint endpoint, DeliveryStore.Claimed claimed) {
        Instant now = clock.instant();
        long timestamp = now.getEpochSecond();
        byte[] body = claimed.payload().getBytes(StandardCharsets.UTF_8);
        List<String> signatures = secrets.signing(endpoint, now).stream()
                .map(secret -> Signatures.sign(secret, claimed.eventId(), timestamp, body)).toList();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", claimed.eventId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", String.join(" ", signatures));
        return headers;
    }

    private void record(WebhookEndpoint endpoint, DeliveryStore.Claimed claimed, Verdict verdict, Duration took) {
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
