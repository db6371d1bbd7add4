package dev.otpgate.audit;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Bursts counted in memory and written as one row per key and window (see {@link AuditTrail#rollUp}). */
@Component
class AuditRollups {

    private record Key(String action, String appId, String targetId, String actor, String clientAddress) {}

    private static final class Burst {
        final AuditEntry first;
        final Instant firstAt;
        final AtomicLong count = new AtomicLong();
        volatile Instant lastAt;

        Burst(AuditEntry first, Instant at) {
            this.first = first;
            this.firstAt = at;
            this.lastAt = at;
        }
    }

    /** Beyond this many distinct keys in one window, further ones are counted under one overflow row. */
    private static final int MAX_KEYS = 10_000;

    private final Map<Key, Burst> bursts = new ConcurrentHashMap<>();
    private final AuditChain chain;
    private final TransactionTemplate transactions;
    private final Clock clock;

    AuditRollups(AuditChain chain, TransactionTemplate transactions, Clock clock) {
        this.chain = chain;
        this.transactions = transactions;
        this.clock = clock;
    }

    void count(AuditEntry entry) {
        Instant now = clock.instant();
        Key key = new Key(entry.action(), entry.appId(), entry.targetId(), entry.actor(), entry.clientAddress());
        AuditEntry counted = entry;
        if (bursts.size() >= MAX_KEYS && !bursts.containsKey(key)) {
            key = new Key(entry.action(), null, null, null, null);
            counted = new AuditEntry(entry.action(), entry.outcome(), null, null, Map.of("overflow", true),
                    AuditContext.SYSTEM, null);
        }
        AuditEntry first = counted;
        Burst burst = bursts.computeIfAbsent(key, k -> new Burst(first, now));
        burst.count.incrementAndGet();
        burst.lastAt = now;
    }

    /** Writes every burst counted so far as one row each; a failed write keeps nothing (logged by the caller). */
    void flush() {
        for (Key key : bursts.keySet()) {
            Burst burst = bursts.remove(key);
            if (burst == null) {
                continue;
            }
            AuditEntry entry = burst.first.with("count", burst.count.get())
                    .with("first_at", CanonicalForm.time(burst.firstAt)).with("last_at", CanonicalForm.time(burst.lastAt));
            transactions.executeWithoutResult(tx -> chain.append(entry));
        }
    }
}
