package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.provider.SendResult;
import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.DeliveryRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Hands one rendered message to its channel's providers in order: a provider that fails for now is cooled off
 * and the next one is tried at once; a permanent failure stops there. It records nothing; the worker turns the
 * {@link Outcome} into a step record.
 */
@Component
class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** How one try of a message ended. */
    sealed interface Outcome {

        /** @param tried the providers that failed before {@code provider} took it, each with its failure */
        record Sent(String provider, SendResult result, List<String> tried) implements Outcome {}

        /** A provider refused it for good; no other provider is asked. */
        record Refused(String provider, String reason, List<String> tried) implements Outcome {}

        /** Every provider failed for now; a later try may succeed. */
        record AllFailed(List<String> tried) implements Outcome {

            String reason() {
                return "every provider failed (" + String.join("; ", tried) + ")";
            }
        }

        /** No provider serves the channel. */
        record NoProvider(String channel) implements Outcome {}
    }

    private final ProviderRegistry registry;
    private final ProviderHealth health;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();

    Dispatcher(ProviderRegistry registry, ProviderHealth health, MeterRegistry meters, Clock clock) {
        this.registry = registry;
        this.health = health;
        this.meters = meters;
        this.clock = clock;
    }

    Outcome dispatch(DeliveryRequest request, OutboundMessage message) {
        List<Provider> providers = registry.candidates(request.channel());
        if (providers.isEmpty()) {
            return new Outcome.NoProvider(request.channel());
        }
        List<String> tried = new ArrayList<>();
        for (Provider provider : providers) {
            SendResult result;
            try {
                result = provider.send(message);
            } catch (DeliveryException e) {
                failure(request.channel(), provider.id());
                tried.add(provider.id() + ": " + e.getMessage());
                if (e.permanent()) {
                    log.warn("Delivery of {} through {} failed for good: {}", request, provider.id(), e.getMessage());
                    return new Outcome.Refused(provider.id(), e.getMessage(), List.copyOf(tried));
                }
                health.failed(provider.id(), e.getMessage());
                continue;
            } catch (RuntimeException e) {
                // An adapter bug must not look like success, nor leak its message (it may quote a number).
                log.warn("Provider {} threw {} for {}", provider.id(), e.getClass().getSimpleName(), request);
                failure(request.channel(), provider.id());
                tried.add(provider.id() + ": internal error");
                health.failed(provider.id(), "internal error");
                continue;
            }
            health.succeeded(provider.id());
            String key = request.channel() + "|" + provider.id();
            sent.computeIfAbsent(key, k -> meters.counter("otpgate.delivery.sent", "channel", request.channel(),
                    "provider", provider.id())).increment();
            latency.computeIfAbsent(key, k -> Timer.builder("otpgate.delivery.latency")
                            .description("From commit of the job to the provider's acceptance")
                            .tag("channel", request.channel()).tag("provider", provider.id()).register(meters))
                    .record(Duration.between(request.queuedAt(), clock.instant()));
            return new Outcome.Sent(provider.id(), result, List.copyOf(tried));
        }
        return new Outcome.AllFailed(List.copyOf(tried));
    }

    private void failure(String channel, String provider) {
        failures.computeIfAbsent(channel + "|" + provider, k -> meters.counter("otpgate.delivery.failures",
                "channel", channel, "provider", provider)).increment();
    }
}
