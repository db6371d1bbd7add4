package dev.otpgate.verification;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * One node's copy of what a check of a pending verification compares, as this node last wrote it: kept when a
 * verification starts or gets a new code here, dropped when it is approved, failed, canceled or expired here, and
 * dead at its code's expiry. With it a check needs no read: it compares the code with the copy and sends one
 * conditional update.
 *
 * <p>It is a hint, never the truth. Another node's resend, cancel or guesses, an erasure, a restart: none of them
 * reach this copy. What keeps a stale copy harmless is the update, not the cache: it changes the row only while the
 * row still holds exactly the step, tag and transaction the code was compared with, is pending, unexpired and
 * within its attempts ({@link VerificationRepository#approve}, {@link VerificationRepository#countCachedGuess});
 * when it changes nothing the check reads the row and decides as if nothing had been cached.
 *
 * <p>Bounded by {@code otpgate.verification.check-cache.max-entries} (give or take the writes in flight at that
 * moment): when full, the dead entries go first and then, if that freed nothing, an arbitrary eighth of the rest. A
 * dropped entry costs its next check one read, nothing else.
 */
@Component
class CheckCache {

    /**
     * What a check compares and limits by, and nothing else: no destination in the clear, no end-user data.
     *
     * @param destinationCiphertext for the check limits during an index-key rotation, when the destination's
     *        indexes under every key in play are needed
     */
    record Material(String id, String appId, int codeStep, byte[] codeHash, String transactionJson,
            boolean testDestination, byte[] destinationIndex, byte[] destinationCiphertext, Instant expiresAt) {

        static Material of(Verification v) {
            return new Material(v.id(), v.appId(), v.codeStep(), v.codeHash(), v.transactionJson(), v.testDestination(),
                    v.destinationIndex(), v.destinationCiphertext(), v.expiresAt());
        }

        boolean liveAt(Instant now) {
            return now.isBefore(expiresAt);
        }

        @Override
        public String toString() {
            return "Material[" + id + " step " + codeStep + "]";
        }
    }

    private final Map<String, Material> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Clock clock;

    CheckCache(CheckCacheProperties properties, Clock clock) {
        this.maxEntries = properties.maxEntries();
        this.clock = clock;
    }

    /**
     * The copy of {@code id}, if this node holds one for this app that is not past its expiry. Another app's id is
     * a miss, read from the database like an unknown one (S-14).
     */
    Optional<Material> find(String appId, String id, Instant now) {
        Material cached = entries.get(id);
        if (cached == null || !cached.appId().equals(appId)) {
            return Optional.empty();
        }
        if (!cached.liveAt(now)) {
            entries.remove(id, cached);
            return Optional.empty();
        }
        return Optional.of(cached);
    }

    /**
     * Keeps {@code material} as written, once the surrounding transaction commits (a rolled-back write leaves no
     * copy). A later step is never replaced by an earlier one that arrives late.
     */
    void remember(Material material) {
        if (maxEntries == 0) {
            return;
        }
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    put(material);
                }
            });
        } else {
            put(material);
        }
    }

    /** Drops the copy of {@code id}, whatever it holds. */
    void forget(String id) {
        entries.remove(id);
    }

    /** Drops {@code material} if it is still the copy held (a newer one, kept meanwhile, stays). */
    void forget(Material material) {
        entries.remove(material.id(), material);
    }

    int size() {
        return entries.size();
    }

    private void put(Material material) {
        Instant now = clock.instant();
        if (!material.liveAt(now)) {
            return;
        }
        if (entries.size() >= maxEntries && !entries.containsKey(material.id())) {
            makeRoom(now);
        }
        entries.merge(material.id(), material, (held, fresh) -> fresh.codeStep() >= held.codeStep() ? fresh : held);
    }

    private void makeRoom(Instant now) {
        entries.values().removeIf(held -> !held.liveAt(now));
        if (entries.size() < maxEntries) {
            return;
        }
        int excess = entries.size() - maxEntries + Math.max(1, maxEntries / 8);
        Iterator<Material> held = entries.values().iterator();
        while (excess-- > 0 && held.hasNext()) {
            held.next();
            held.remove();
        }
    }
}
