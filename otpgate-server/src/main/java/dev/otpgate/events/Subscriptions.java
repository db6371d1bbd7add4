package dev.otpgate.events;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Each app's enabled endpoints and their filters, kept in memory for {@code subscription-cache-ttl}, so that an
 * app without endpoints costs its starts and checks no statement: one lookup per app and period, whatever the
 * traffic. A change made through this node is seen at once; one made on another node after the period.
 */
@Component
class Subscriptions {

    record Subscription(String endpointId, EventFilter filter) {}

    private record Entry(List<Subscription> subscriptions, long loadedAt) {}

    private final EndpointRepository endpoints;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    Subscriptions(EndpointRepository endpoints, WebhookProperties properties) {
        this.endpoints = endpoints;
        this.ttlNanos = properties.subscriptionCacheTtl().toNanos();
    }

    /** The endpoints of {@code appId} subscribed to {@code type}. */
    List<Subscription> of(String appId, EventType type) {
        long now = System.nanoTime();
        Entry entry = cache.get(appId);
        if (entry == null || now - entry.loadedAt() > ttlNanos) {
            entry = new Entry(endpoints.enabled(appId).stream()
                    .map(endpoint -> new Subscription(endpoint.id(), endpoint.events())).toList(), now);
            cache.put(appId, entry);
        }
        List<Subscription> all = entry.subscriptions();
        if (all.isEmpty()) {
            return List.of();
        }
        return all.stream().filter(subscription -> subscription.filter().matches(type)).toList();
    }

    /**
     * Forgets {@code appId}'s endpoints; inside a transaction also once it has ended, so that a lookup made before the
     * change commits does not keep the old endpoints for the whole period.
     */
    void invalidate(String appId) {
        cache.remove(appId);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    cache.remove(appId);
                }
            });
        }
    }
}
