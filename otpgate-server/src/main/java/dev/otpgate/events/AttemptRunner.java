package dev.otpgate.events;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * One attempt of a claimed delivery: the URL checked again (resolved now, every address judged, connected to
 * directly), the body signed afresh ({@link SignedHeaders}), the reply judged as a {@link Verdict}, and the
 * outcome handed to {@link AttemptOutcomes}.
 */
@Component
class AttemptRunner {

    private final EndpointRepository endpoints;
    private final DeliveryStore deliveries;
    private final WebhookTargets targets;
    private final PinnedHttps https;
    private final SignedHeaders headers;
    private final AttemptOutcomes outcomes;
    private final WebhookProperties properties;

    AttemptRunner(EndpointRepository endpoints, DeliveryStore deliveries, WebhookTargets targets, PinnedHttps https,
            SignedHeaders headers, AttemptOutcomes outcomes, WebhookProperties properties) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.targets = targets;
        this.https = https;
        this.headers = headers;
        this.outcomes = outcomes;
        this.properties = properties;
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
            case WebhookTargets.Allowed allowed -> Verdict.of(https.post(allowed,
                    headers.of(endpoint, claimed.eventId(), claimed.payload()),
                    claimed.payload().getBytes(StandardCharsets.UTF_8), properties.timeout()));
        };
        outcomes.record(endpoint, claimed, verdict, Duration.ofNanos(System.nanoTime() - started));
    }
}
