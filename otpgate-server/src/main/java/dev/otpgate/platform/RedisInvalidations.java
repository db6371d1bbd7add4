package dev.otpgate.platform;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache invalidations through Redis pub/sub on {@code <prefix>invalidation}. Sent after the change committed.
 * Lettuce reconnects and subscribes again by itself; each reconnect reports that messages may have been missed.
 * Redis being down at start is not fatal: the subscriber keeps trying every second.
 */
final class RedisInvalidations implements Invalidations.Transport {

    private static final Logger log = LoggerFactory.getLogger(RedisInvalidations.class);

    private final RedisClient client;
    private final String channel;
    private final Thread connector;
    private volatile StatefulRedisConnection<String, String> publisher;
    private volatile StatefulRedisPubSubConnection<String, String> subscriber;
    private volatile boolean running = true;

    RedisInvalidations(String redisUrl, String prefix, Duration timeout, Consumer<String> received, Runnable missedSome) {
        this.client = RedisClients.create(redisUrl, timeout);
        this.channel = prefix + "invalidation";
        this.connector = Thread.ofPlatform().daemon().name("cache-invalidation-redis")
                .unstarted(() -> connect(received, missedSome));
        this.connector.start();
    }

    /** True once subscribed: a message sent from now on reaches this node. */
    boolean subscribed() {
        return subscriber != null && subscriber.isOpen();
    }

    private void connect(Consumer<String> received, Runnable missedSome) {
        boolean warned = false;
        while (running && subscriber == null) {
            try {
                StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub();
                connection.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String from, String message) {
                        if (channel.equals(from)) {
                            received.accept(message);
                        }
                    }
                });
                connection.sync().subscribe(channel);
                client.addListener(new RedisConnectionStateListener() {
                    @Override
                    public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> handler, SocketAddress address) {
                        missedSome.run();
                    }
                });
                publisher = client.connect();
                subscriber = connection;
                missedSome.run();
            } catch (RuntimeException e) {
                if (!warned) {
                    log.warn("Cannot subscribe to cache invalidations in Redis ({}); retrying every second",
                            e.getClass().getSimpleName());
                    warned = true;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public boolean transactional() {
        return false;
    }

    @Override
    public void send(String message) {
        StatefulRedisConnection<String, String> connection = publisher;
        if (connection == null) {
            throw new IllegalStateException("not connected to Redis");
        }
        connection.async().publish(channel, message);
    }

    @Override
    public void close() {
        running = false;
        connector.interrupt();
        if (subscriber != null) {
            subscriber.close();
        }
        if (publisher != null) {
            publisher.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
