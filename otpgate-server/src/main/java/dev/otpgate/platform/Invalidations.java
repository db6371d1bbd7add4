package dev.otpgate.platform;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells every node's caches that something changed: a topic ({@code api-key}, {@code app}) and the id of what
 * changed. This node's subscribers hear it when the change commits; other nodes through each transport: PostgreSQL
 * {@code NOTIFY} (sent inside the transaction, so delivered exactly when it commits) and Redis pub/sub (sent after
 * the commit). A transport that lost its connection tells this node's subscribers to drop everything once it is
 * back, since it may have missed messages meanwhile.
 */
public class Invalidations {

    /** What a cache does when told. */
    public interface Subscriber {
        void invalidate(String id);

        void invalidateAll();
    }

    /** A way to reach the other nodes. */
    interface Transport extends AutoCloseable {

        /** True when {@link #send} joins the caller's transaction (and so needs no after-commit hook). */
        boolean transactional();

        void send(String message);

        @Override
        void close();
    }

    private static final Logger log = LoggerFactory.getLogger(Invalidations.class);

    private final String node = UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    private final List<Transport> transports = new CopyOnWriteArrayList<>();

    /** A bus that reaches this node only until transports are added (none on embedded H2: one node). */
    Invalidations() {}

    void add(Transport transport) {
        transports.add(transport);
    }

    List<Transport> transports() {
        return List.copyOf(transports);
    }

    public void subscribe(String topic, Subscriber subscriber) {
        subscribers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(subscriber);
    }

    /** Announces that {@code id} under {@code topic} changed; when a transaction runs, as it commits. */
    public void publish(String topic, String id) {
        if (topic.contains(" ") || id.contains(" ")) {
            throw new IllegalArgumentException("topic and id must not contain spaces");
        }
        String message = node + " " + topic + " " + id;
        for (Transport transport : transports) {
            if (transport.transactional()) {
                transport.send(message);
            }
        }
        Runnable afterCommit = () -> {
            deliver(topic, id);
            for (Transport transport : transports) {
                if (!transport.transactional()) {
                    sendQuietly(transport, message);
                }
            }
        };
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    afterCommit.run();
                }
            });
        } else {
            afterCommit.run();
        }
    }

    /** A message from a transport; this node's own were delivered when they committed. */
    void received(String message) {
        String[] parts = message.split(" ", 3);
        if (parts.length != 3 || parts[0].equals(node)) {
            return;
        }
        deliver(parts[1], parts[2]);
    }

    /** A transport (re)connected and may have missed messages: every cache starts over. */
    void missedSome() {
        subscribers.values().forEach(list -> list.forEach(Subscriber::invalidateAll));
    }

    private void deliver(String topic, String id) {
        for (Subscriber subscriber : subscribers.getOrDefault(topic, List.of())) {
            subscriber.invalidate(id);
        }
    }

    private static void sendQuietly(Transport transport, String message) {
        try {
            transport.send(message);
        } catch (RuntimeException e) {
            // The change is committed; other nodes fall back on the time to live and on resync after reconnecting.
            log.warn("Could not announce a change to the other nodes ({}); their caches catch up within the TTL",
                    e.getClass().getSimpleName());
        }
    }

    public void close() {
        transports.forEach(Transport::close);
    }
}
