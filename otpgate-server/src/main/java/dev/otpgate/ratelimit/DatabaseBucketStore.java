package dev.otpgate.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets in PostgreSQL's {@code rate_limit_buckets} table (V3), shared by every node that uses the database
 * (S-33): Bucket4j's {@code SELECT … FOR UPDATE} proxy. Expired rows are deleted in the background. The
 * embedded H2 database is refused at start: Bucket4j has no H2 backend, and one node needs no shared store.
 */
class DatabaseBucketStore implements BucketStore {

    private static final Logger log = LoggerFactory.getLogger(DatabaseBucketStore.class);

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;
    private final ScheduledExecutorService cleaner;

    DatabaseBucketStore(DataSource dataSource, Duration timeout, Clock clock) {
        requirePostgres(dataSource);
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_buckets")
                .idColumn("id")
                .stateColumn("state")
                .expiresAtColumn("expires_at")
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
                .clientClock(new ClockTimeMeter(clock))
                .requestTimeout(timeout)
                .build();
        this.cleaner = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("rate-limit-cleaner").factory());
        this.cleaner.scheduleWithFixedDelay(this::removeExpired, 1, 5, TimeUnit.MINUTES);
    }

    private static void requirePostgres(DataSource dataSource) {
        String product;
        try (Connection connection = dataSource.getConnection()) {
            product = connection.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new IllegalStateException("otpgate.rate-limit.store=database: cannot read the database type", e);
        }
        if (!"PostgreSQL".equalsIgnoreCase(product)) {
            throw new IllegalStateException("otpgate.rate-limit.store=database needs PostgreSQL, but the database is "
                    + product + ". Use otpgate.rate-limit.store=memory (one node) or redis (several nodes) with the"
                    + " embedded database.");
        }
    }

    @Override
    public Bucket bucket(String key, BucketConfiguration configuration) {
        return buckets.builder().build(key, () -> configuration);
    }

    @Override
    public void remove(String key) {
        buckets.removeProxy(key);
    }

    private void removeExpired() {
        try {
            int removed;
            do {
                removed = buckets.removeExpired(1000);
            } while (removed == 1000);
        } catch (RuntimeException e) {
            log.warn("Could not delete expired rate-limit buckets ({})", e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        cleaner.shutdownNow();
    }
}
