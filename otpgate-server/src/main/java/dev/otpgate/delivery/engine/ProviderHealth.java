package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.provider.Provider;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Which providers are cooling off on this node. A provider that fails a send, or whose receipts report a run
 * of undelivered messages, is skipped for {@code otpgate.delivery.provider-cool-off} while its channel has
 * another provider; when every provider of a channel is cooling off, they are all tried anyway.
 */
@Component
class ProviderHealth {

    private static final Logger log = LoggerFactory.getLogger(ProviderHealth.class);

    private final Map<String, Instant> coolingUntil = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> undeliveredRun = new ConcurrentHashMap<>();
    private final DeliveryProperties properties;
    private final Clock clock;

    ProviderHealth(DeliveryProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    boolean coolingOff(String providerId) {
        Instant until = coolingUntil.get(providerId);
        return until != null && clock.instant().isBefore(until);
    }

    void failed(String providerId, String reason) {
        coolOff(providerId, reason);
    }

    void succeeded(String providerId) {
        coolingUntil.remove(providerId);
    }

    void receipt(String providerId, boolean delivered) {
        AtomicInteger run = undeliveredRun.computeIfAbsent(providerId, id -> new AtomicInteger());
        if (delivered) {
            run.set(0);
        } else if (run.incrementAndGet() >= properties.undeliveredRun()) {
            run.set(0);
            coolOff(providerId, properties.undeliveredRun() + " undelivered receipts in a row");
        }
    }

    private void coolOff(String providerId, String reason) {
        Instant until = clock.instant().plus(properties.providerCoolOff());
        Instant previous = coolingUntil.put(providerId, until);
        if (previous == null || !clock.instant().isBefore(previous)) {
            log.warn("Provider {} cools off until {}: {}", providerId, until, reason);
        }
    }
}
