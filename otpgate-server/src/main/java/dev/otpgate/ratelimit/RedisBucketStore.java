package dev.otpgate.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Clock;
import java.time.Duration;

/**
 * Buckets in Redis, shared by every node (S-33): Bucket4j's compare-and-swap proxy over Lettuce. The connection
 * is opened on first use and again after a failure, so the server starts while Redis is down and starts
 * refusing (fail closed) instead of crashing; commands fail fast while disconnected.
 */
class RedisBucketStore implements BucketStore {

    private final RedisClient client;
    private final String keyPrefix;
    private final Duration timeout;
    private final ClockTimeMeter time;
    private StatefulRedisConnection<String, byte[]> connection;
    private ProxyManager<String> buckets;

    RedisBucketStore(String redisUrl, String keyPrefix, Duration timeout, Clock clock) {
        this.client = dev.otpgate.platform.RedisClients.create(redisUrl, timeout);
        this.keyPrefix = keyPrefix;
        this.timeout = timeout;
        this.time = new ClockTimeMeter(clock);
    }

    @Override
    public Bucket bucket(String key, BucketConfiguration configuration) {
        return buckets().builder().build(keyPrefix + key, () -> configuration);
    }

    @Override
    public void remove(String key) {
        buckets().removeProxy(keyPrefix + key);
    }

    private synchronized ProxyManager<String> buckets() {
        if (buckets != null && connection.isOpen()) {
            return buckets;
        }
        closeConnection();
        connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        buckets = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                .clientClock(time)
                .requestTimeout(timeout)
                .build();
        return buckets;
    }

    private void closeConnection() {
        if (connection != null) {
            connection.closeAsync();
            connection = null;
            buckets = null;
        }
    }

    @Override
    public synchronized void close() {
        closeConnection();
        client.shutdownAsync();
    }
}
