package dev.otpgate.fraud;

import dev.otpgate.verification.VerificationEvents.CodeQueued;
import dev.otpgate.verification.VerificationEvents.VerificationApproved;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Counts sends and approvals per app, prefix and minute, and the estimated spend per app and UTC day. Every code
 * queued (a start, a resend, a workflow step) counts as a send once its transaction commits; its event only adds
 * to memory, and {@link #flush()} writes the sums in the background, so the counts are shared by every node
 * without a statement on the request path.
 *
 * <p>Spend is reserved by {@link SpendCap} when a send is decided, atomically against the budget, so one node
 * never overshoots it however many sends race. What a node compares with the budget is the database's figure as
 * of its last refresh plus what it reserved since; sends of other nodes count once they flushed them
 * ({@code otpgate.fraud.flush-interval}, 1 s) and this node refreshed ({@code otpgate.fraud.refresh-interval},
 * 5 s). A budget is therefore overshot by at most what the other nodes send within those two intervals.
 */
@Component
class FraudLedger {

    private static final Logger log = LoggerFactory.getLogger(FraudLedger.class);

    private final FraudRepository repository;
    private final FraudProperties properties;
    private final Clock clock;

    private record CountKey(String appId, String prefix, String country, long minute) {}

    private record Counts(AtomicInteger starts, AtomicInteger approvals) {
        Counts() {
            this(new AtomicInteger(), new AtomicInteger());
        }
    }

    private record SpendKey(String appId, LocalDate day) {}

    private final ConcurrentHashMap<CountKey, Counts> pendingCounts = new ConcurrentHashMap<>();
    /** Guards the three spend maps together, so a reservation never sees an amount on its way between them. */
    private final Object spendLock = new Object();
    private final Map<SpendKey, BigDecimal> pendingSpend = new HashMap<>();
    private final Map<SpendKey, BigDecimal> flushingSpend = new HashMap<>();
    private final Map<SpendKey, BigDecimal> stored = new HashMap<>();
    private final AtomicReference<LocalDate> storedDay = new AtomicReference<>();
    private final Map<String, Boolean> knownCountries = new ConcurrentHashMap<>();

    FraudLedger(FraudRepository repository, FraudProperties properties, Clock clock) {
        this.repository = repository;
        this.properties = properties;
        this.clock = clock;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(CodeQueued queued) {
        if (queued.prefix() != null) {
            count(queued.appId(), queued.prefix(), queued.countryCode(), queued.at()).starts().incrementAndGet();
        }
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationApproved approved) {
        if (approved.prefix() != null) {
            count(approved.appId(), approved.prefix(), approved.countryCode(), approved.at()).approvals().incrementAndGet();
        }
    }

    private Counts count(String appId, String prefix, String country, Instant at) {
        return pendingCounts.computeIfAbsent(new CountKey(appId, prefix, country, at.getEpochSecond() / 60), k -> new Counts());
    }

    /**
     * Adds {@code price} to the app's spend of {@code day} when the sum stays within {@code budget}; false, and
     * nothing added, when it would not.
     */
    boolean reserve(String appId, LocalDate day, BigDecimal price, BigDecimal budget) {
        SpendKey key = new SpendKey(appId, day);
        synchronized (spendLock) {
            if (spentLocked(key).add(price).compareTo(budget) > 0) {
                return false;
            }
            pendingSpend.merge(key, price, BigDecimal::add);
            return true;
        }
    }

    /** Gives back a reservation whose send did not happen; a flush that wrote it already counts it (conservative). */
    void release(String appId, LocalDate day, BigDecimal price) {
        SpendKey key = new SpendKey(appId, day);
        synchronized (spendLock) {
            BigDecimal pending = pendingSpend.get(key);
            if (pending != null && pending.compareTo(price) >= 0) {
                BigDecimal left = pending.subtract(price);
                if (left.signum() == 0) {
                    pendingSpend.remove(key);
                } else {
                    pendingSpend.put(key, left);
                }
            }
        }
    }

    private BigDecimal spentLocked(SpendKey key) {
        return stored.getOrDefault(key, BigDecimal.ZERO).add(flushingSpend.getOrDefault(key, BigDecimal.ZERO))
                .add(pendingSpend.getOrDefault(key, BigDecimal.ZERO));
    }

    /** Writes what this node counted since the last flush. */
    synchronized void flush() {
        // Oldest minute first, so a country's first-seen time is its earliest start.
        for (CountKey key : pendingCounts.keySet().stream().sorted(java.util.Comparator.comparingLong(CountKey::minute)).toList()) {
            Counts counts = pendingCounts.remove(key);
            int starts = counts.starts().get();
            int approvals = counts.approvals().get();
            try {
                repository.addCounts(key.appId(), key.prefix(), key.country(), key.minute(), starts, approvals);
                if (key.country() != null && knownCountries.putIfAbsent(key.appId() + "|" + key.country(), true) == null) {
                    repository.addCountry(key.appId(), key.country(), Instant.ofEpochSecond(key.minute() * 60));
                }
            } catch (RuntimeException e) {
                // Put them back for the next flush rather than lose them.
                Counts back = pendingCounts.computeIfAbsent(key, k -> new Counts());
                back.starts().addAndGet(starts);
                back.approvals().addAndGet(approvals);
                knownCountries.remove(key.appId() + "|" + key.country());
                log.warn("Fraud counts could not be written; retrying: {}", e.getClass().getSimpleName());
                return;
            }
        }
        Map<SpendKey, BigDecimal> batch;
        synchronized (spendLock) {
            batch = new HashMap<>(pendingSpend);
            pendingSpend.clear();
            flushingSpend.putAll(batch);
        }
        for (Map.Entry<SpendKey, BigDecimal> entry : batch.entrySet()) {
            SpendKey key = entry.getKey();
            BigDecimal amount = entry.getValue();
            boolean written;
            try {
                repository.addSpend(key.appId(), key.day(), amount);
                written = true;
            } catch (RuntimeException e) {
                written = false;
                log.warn("Fraud spend could not be written; retrying: {}", e.getClass().getSimpleName());
            }
            synchronized (spendLock) {
                flushingSpend.remove(key);
                (written ? stored : pendingSpend).merge(key, amount, BigDecimal::add);
            }
        }
    }

    /** Reloads today's spend of every app, which other nodes add to. */
    synchronized void refreshSpend() {
        LocalDate today = day(clock.instant());
        Map<SpendKey, BigDecimal> fresh = new HashMap<>();
        repository.spendOn(today).forEach((app, amount) -> fresh.put(new SpendKey(app, today), amount));
        // Runs under the same monitor as flush(), so nothing is on its way to the database while stored is replaced.
        synchronized (spendLock) {
            stored.keySet().removeIf(key -> !fresh.containsKey(key));
            stored.putAll(fresh);
            LocalDate previous = storedDay.getAndSet(today);
            if (previous != null && !previous.equals(today)) {
                pendingSpend.keySet().removeIf(key -> key.day().isBefore(today.minusDays(1)));
            }
        }
    }

    static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}
