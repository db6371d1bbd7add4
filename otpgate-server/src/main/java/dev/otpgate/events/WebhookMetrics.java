package dev.otpgate.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * {@code otpgate.webhooks.attempts} by outcome ({@code succeeded}, {@code retrying}, {@code failed}) and event
 * type, {@code otpgate.webhooks.latency} by outcome, and {@code otpgate.webhooks.queue.age} (seconds the oldest
 * due delivery waited when last claimed). Every meter is made here, once; no tag holds a URL, an id or a secret.
 */
@Component
class WebhookMetrics {

    enum Outcome {
        SUCCEEDED, RETRYING, FAILED
    }

    private final Map<EventType, Map<Outcome, Counter>> attempts = new EnumMap<>(EventType.class);
    private final Timer succeededLatency;
    private final Timer failedLatency;
    private final AtomicLong queueAgeMillis = new AtomicLong();

    WebhookMetrics(MeterRegistry meters) {
        for (EventType type : EventType.values()) {
            Map<Outcome, Counter> byOutcome = new EnumMap<>(Outcome.class);
            for (Outcome outcome : Outcome.values()) {
                byOutcome.put(outcome, Counter.builder("otpgate.webhooks.attempts")
                        .description("Webhook delivery attempts by outcome and event type")
                        .tag("event", type.value()).tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                        .register(meters));
            }
            attempts.put(type, byOutcome);
        }
        succeededLatency = latency(meters, "succeeded");
        failedLatency = latency(meters, "failed");
        Gauge.builder("otpgate.webhooks.queue.age", queueAgeMillis, value -> value.get() / 1000.0)
                .description("Seconds the oldest due webhook delivery waited when last claimed").baseUnit("seconds")
                .register(meters);
    }

    private static Timer latency(MeterRegistry meters, String outcome) {
        return Timer.builder("otpgate.webhooks.latency").description("Time of one webhook attempt")
                .tag("outcome", outcome).publishPercentileHistogram().register(meters);
    }

    void attempt(String type, Outcome outcome, Duration took) {
        EventType known = EventType.of(type).orElse(EventType.WEBHOOK_TEST);
        attempts.get(known).get(outcome).increment();
        (outcome == Outcome.SUCCEEDED ? succeededLatency : failedLatency).record(took);
    }

    void queueAge(Duration age) {
        queueAgeMillis.set(Math.max(0, age.toMillis()));
    }
}
