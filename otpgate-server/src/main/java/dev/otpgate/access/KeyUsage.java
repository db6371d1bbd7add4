package dev.otpgate.access;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * When each key was last used, batched: a request only notes the time in memory; every
 * {@code otpgate.api-keys.last-used-interval} (and at shutdown) the node writes one update per key it saw used.
 */
@Component
class KeyUsage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeyUsage.class);

    private final Map<String, Instant> pending = new ConcurrentHashMap<>();
    private final ApiKeyRepository repository;
    private final ScheduledExecutorService flusher;

    KeyUsage(ApiKeyRepository repository, ApiKeyProperties properties) {
        this.repository = repository;
        this.flusher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("key-usage").factory());
        long millis = properties.lastUsedInterval().toMillis();
        flusher.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    void used(String keyId, Instant at) {
        pending.merge(keyId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** A use this node saw and has not written yet. */
    Optional<Instant> unwritten(String keyId) {
        return Optional.ofNullable(pending.get(keyId));
    }

    /** Writes what was noted since the last flush. */
    void flush() {
        for (String keyId : pending.keySet()) {
            Instant at = pending.remove(keyId);
            if (at == null) {
                continue;
            }
            try {
                repository.touch(keyId, at);
            } catch (DataAccessException e) {
                used(keyId, at);
                throw e;
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Could not record when API keys were last used ({}); retrying", e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        flushQuietly();
    }
}
