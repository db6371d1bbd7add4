package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.support.PostgresTestDatabase;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The transports that carry cache invalidations between nodes, each against the real server: two buses stand for
 * two nodes. A message reaches the other node within a second, reaches its own node once, and a change that rolls
 * back announces nothing.
 */
class InvalidationTransportTests {

    static final String REDIS_URL = System.getenv().getOrDefault("OTPGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    /** Records what it is told; {@code resyncs} counts the "start over" calls a transport makes when it connects. */
    static final class Recorder implements Invalidations.Subscriber {
        final List<String> ids = new CopyOnWriteArrayList<>();
        final AtomicInteger resyncs = new AtomicInteger();

        @Override
        public void invalidate(String id) {
            ids.add(id);
        }

        @Override
        public void invalidateAll() {
            resyncs.incrementAndGet();
        }
    }

    private static Invalidations redisBus(String prefix) {
        Invalidations bus = new Invalidations();
        bus.add(new RedisInvalidations(REDIS_URL, prefix, Duration.ofSeconds(2), bus::received, bus::missedSome));
        return bus;
    }

    private static void requireRedis() {
        RedisClient client = RedisClients.create(REDIS_URL, Duration.ofSeconds(2));
        try (var connection = client.connect()) {
            connection.sync().ping();
        } catch (RuntimeException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("Redis is not reachable at " + REDIS_URL + " (CI=true)", e);
            }
            Assumptions.abort("Redis is not reachable at " + REDIS_URL);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void redisWhenOneNodePublishesThenTheOtherHearsItWithinASecondAndTheSenderOnce() {
        requireRedis();
        String prefix = "otpgate-test:" + UUID.randomUUID() + ":";
        Invalidations nodeA = redisBus(prefix);
        Invalidations nodeB = redisBus(prefix);
        Invalidations elsewhere = redisBus("otpgate-test:" + UUID.randomUUID() + ":");
        try {
            Recorder onA = new Recorder();
            Recorder onB = new Recorder();
            Recorder onElsewhere = new Recorder();
            nodeA.subscribe("api-key", onA);
            nodeB.subscribe("api-key", onB);
            elsewhere.subscribe("api-key", onElsewhere);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> List.of(nodeA, nodeB, elsewhere).stream()
                    .allMatch(bus -> ((RedisInvalidations) bus.transports().getFirst()).subscribed()));

            long sent = System.nanoTime();
            nodeA.publish("api-key", "key_1");
            Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> onB.ids.contains("key_1"));
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(1));
            nodeB.publish("app", "app_1");
            nodeB.publish("api-key", "key_2");
            Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> onA.ids.contains("key_2"));
            assertThat(onA.ids).containsExactly("key_1", "key_2");
            assertThat(onB.ids).containsExactly("key_1", "key_2");
            assertThat(onElsewhere.ids).as("another prefix is another cluster").isEmpty();
        } finally {
            nodeA.close();
            nodeB.close();
            elsewhere.close();
        }
    }

    @Test
    void postgresWhenAChangeCommitsThenTheOtherNodeHearsItAndWhenItRollsBackNobodyDoes() {
        PostgresTestDatabase.requireReachable();
        String url = PostgresTestDatabase.create();
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD);
        JdbcClient jdbc = JdbcClient.create(dataSource);
        TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        Invalidations nodeA = new Invalidations();
        Invalidations nodeB = new Invalidations();
        nodeA.add(new PostgresInvalidations(jdbc, url, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD,
                nodeA::received, nodeA::missedSome));
        nodeB.add(new PostgresInvalidations(jdbc, url, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD,
                nodeB::received, nodeB::missedSome));
        try {
            Recorder onA = new Recorder();
            Recorder onB = new Recorder();
            nodeA.subscribe("api-key", onA);
            nodeB.subscribe("api-key", onB);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> onA.resyncs.get() > 0 && onB.resyncs.get() > 0);

            transactions.executeWithoutResult(status -> {
                nodeA.publish("api-key", "key_rolled_back");
                status.setRollbackOnly();
            });
            transactions.executeWithoutResult(status -> {
                nodeA.publish("api-key", "key_committed");
                assertThat(onA.ids).as("not before the commit").isEmpty();
            });
            Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> onB.ids.contains("key_committed"));
            nodeB.publish("api-key", "key_outside_a_transaction");
            Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> onA.ids.contains("key_outside_a_transaction"));
            assertThat(onA.ids).containsExactly("key_committed", "key_outside_a_transaction");
            assertThat(onB.ids).containsExactly("key_committed", "key_outside_a_transaction");
        } finally {
            nodeA.close();
            nodeB.close();
        }
    }

    @Test
    void nodeCacheWhenAnInvalidationRacesALoadThenTheLoadedValueIsNotKept() {
        NodeCache<String> cache = new NodeCache<>(new CacheProperties(Duration.ofMinutes(1), 10));
        Invalidations.Subscriber dropper = cache.dropping((value, id) -> value.startsWith(id));
        assertThat(cache.get("k", () -> {
            dropper.invalidate("other");
            return java.util.Optional.of("stale");
        })).contains("stale");
        assertThat(cache.get("k", () -> java.util.Optional.of("fresh"))).as("the raced value was not kept").contains("fresh");
        assertThat(cache.get("k", () -> java.util.Optional.of("newer"))).as("cached now").contains("fresh");
        dropper.invalidate("fre");
        assertThat(cache.get("k", () -> java.util.Optional.of("newer"))).contains("newer");
        assertThat(cache.get("absent", java.util.Optional::empty)).isEmpty();
        assertThat(cache.get("absent", () -> java.util.Optional.of("created"))).as("absence is never cached").contains("created");
    }
}
