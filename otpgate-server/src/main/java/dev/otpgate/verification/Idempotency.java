package dev.otpgate.verification;

import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.KeyRing;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Idempotent starts: the same {@code Idempotency-Key} with the same request within 24 hours answers with the
 * verification the first request made, and sends nothing; the same key with another request is a conflict. The
 * request is remembered as a keyed hash of its fields, never in clear.
 */
@Component
class Idempotency {

    static final Duration WINDOW = Duration.ofHours(24);

    private final IdempotencyRepository repository;
    private final VerificationRepository verifications;
    private final Expiry expiry;
    private final KeyRing keys;

    Idempotency(IdempotencyRepository repository, VerificationRepository verifications, Expiry expiry, KeyRing keys) {
        this.repository = repository;
        this.verifications = verifications;
        this.expiry = expiry;
        this.keys = keys;
    }

    /**
     * The keyed hashes of a request's fields, in order, under every index key in play (the primary's first, which
     * is stored); {@code null}s count as the text "null". A retry after an index-key rotation matches the record
     * its first attempt left under the previous key.
     */
    List<byte[]> requestHash(String... fields) {
        return keys.blindIndexes(String.join("\u0000", fields));
    }

    /** The verification an earlier request with this key made, if one did within the window. */
    Optional<Verification> replay(String appId, String key, List<byte[]> requestHash, Instant now) {
        Optional<IdempotencyRepository.Entry> entry = repository.find(appId, key);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        if (entry.get().createdAt().isBefore(now.minus(WINDOW))) {
            repository.delete(appId, key, now.minus(WINDOW));
            return Optional.empty();
        }
        if (requestHash.stream().noneMatch(hash -> MessageDigest.isEqual(entry.get().requestHash(), hash))) {
            throw new ApiProblem(HttpStatus.CONFLICT, "idempotency-key-reused", "Idempotency key reused",
                    "this Idempotency-Key was used with a different request body");
        }
        return verifications.find(appId, entry.get().verificationId()).map(v -> expiry.expireIfDue(v, now));
    }

    /** Remembers the key; runs in the start's transaction, so the key and the verification commit together. */
    void remember(String appId, String key, byte[] requestHash, String verificationId, Instant now) {
        repository.insert(appId, key, requestHash, verificationId, now);
    }

    int forgetOlderThan(Instant cutoff) {
        return repository.deleteOlderThan(cutoff);
    }

    static ApiProblem inProgress() {
        return new ApiProblem(HttpStatus.CONFLICT, "idempotency-conflict", "Idempotency conflict",
                "a request with this Idempotency-Key is in progress; retry");
    }
}
