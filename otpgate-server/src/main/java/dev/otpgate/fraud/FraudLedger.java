package dev.otpgate.fraud;

import dev.otpgate.verification.VerificationEvents.VerificationApproved;
import dev.otpgate.verification.VerificationEvents.VerificationStarted;
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
 * Counts starts and approvals per app, prefix and minute, and the estimated spend per app and UTC day. After a
 * start or an approval commits, its event only adds to memory; {@link #flush()} writes the sums in the
 * background, so the counts are shared by every node without a statement on the request path. The spend the
 * guard compares with a budget is the database's figure (refreshed every few seconds) plus what this node has
 * counted since.
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
    private final ConcurrentHashMap<SpendKey, BigDecimal> pendingSpend = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SpendKey, BigDecimal> stored = new ConcurrentHashMap<>();
    private final AtomicReference<LocalDate> storedDay = new AtomicReference<>();
    private final Map<String, Boolean> knownCountries = new ConcurrentHashMap<>();

    FraudLedger(FraudRepository repository, FraudProperties properties, Clock clock) {
        this.repository = repository;
        this.properties = properties;
        this.clock = clock;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(VerificationStarted started) {
        if (started.prefix() != null) {
            count(started.appId(), started.prefix(), started.countryCode(), started.at()).starts().incrementAndGet();
        }
        BigDecimal price = properties.price(started.countryCode(), started.channel());
        if (price.signum() > 0) {
            pendingSpend.merge(new SpendKey(started.appId(), day(started.at())), price, BigDecimal::add);
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

    /** The estimated spend of {@code appId} on {@code day}, from memory. */
    BigDecimal spent(String appId, LocalDate day) {
        SpendKey key = new SpendKey(appId, day);
        return stored.getOrDefault(key, BigDecimal.ZERO).add(pendingSpend.getOrDefault(key, BigDecimal.ZERO));
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
        for (SpendKey key : pendingSpend.keySet()) {
            BigDecimal amount = pendingSpend.remove(key);
            try {
                repository.addSpend(key.appId(), key.day(), amount);
                stored.merge(key, amount, BigDecimal::add);
            } catch (RuntimeException e) {
                pendingSpend.merge(key, amount, BigDecimal::add);
                log.warn("Fraud spend could not be written; retrying: {}", e.getClass().getSimpleName());
                return;
            }
        }
    }

    /** Reloads today's spend of every app, which other nodes add to. */
    synchronized void refreshSpend() {
        LocalDate today = day(clock.instant());
        Map<SpendKey, BigDecimal> fresh = new HashMap<>();
        repository.spendOn(today).forEach((app, amount) -> fresh.put(new SpendKey(app, today), amount));
        stored.keySet().removeIf(key -> !fresh.containsKey(key));
        stored.putAll(fresh);
        LocalDate previous = storedDay.getAndSet(today);
        if (previous != null && !previous.equals(today)) {
            pendingSpend.keySet().removeIf(key -> key.day().isBefore(today.minusDays(1)));
        }
    }

    static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}
