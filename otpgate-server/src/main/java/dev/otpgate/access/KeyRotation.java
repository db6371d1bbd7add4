package dev.otpgate.access;

import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replaces a key by a new one with the same name, scopes and lifetime; the old secret keeps working for a grace
 * period so that callers can switch without a window where neither or both must be right. A key is rotated once:
 * the old row is locked while it is checked and marked, so two rotations racing each other make one new key. The
 * rotation commits with its audit row ({@code api_key.rotated}, {@code admin_key.rotated}), or neither does.
 */
@Service
class KeyRotation {

    static final Duration MAX_GRACE = Duration.ofDays(7);
    static final Duration DEFAULT_GRACE = Duration.ofDays(1);

    private final ApiKeyRepository repository;
    private final ApiKeyService keys;
    private final ApiKeyCredentials credentials;
    private final TransactionTemplate transactions;
    private final AuditTrail audit;
    private final Clock clock;

    KeyRotation(ApiKeyRepository repository, ApiKeyService keys, ApiKeyCredentials credentials,
            TransactionTemplate transactions, AuditTrail audit, Clock clock) {
        this.repository = repository;
        this.keys = keys;
        this.credentials = credentials;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * @param appId the key's app, null for an admin key
     * @param grace how long the old secret keeps working; zero revokes it at once
     */
    KeyOutcomes.Rotation rotate(String appId, String keyId, Duration grace) {
        return transactions.execute(status -> {
            var found = repository.lock(appId, keyId);
            if (found.isEmpty()) {
                return new KeyOutcomes.NoSuchKey();
            }
            ApiKey old = found.get();
            Instant now = clock.instant();
            if (old.revokedAt() != null) {
                return new KeyOutcomes.NotRotatable(KeyOutcomes.Reason.REVOKED);
            }
            if (old.replacedBy() != null) {
                return new KeyOutcomes.NotRotatable(KeyOutcomes.Reason.IN_GRACE_PERIOD);
            }
            if (!old.usableAt(now)) {
                return new KeyOutcomes.NotRotatable(KeyOutcomes.Reason.EXPIRED);
            }
            // The same expiry rule: a key made to live N days is replaced by one that lives N days from now.
            Instant expiresAt = old.expiresAt() == null ? null
                    : now.plus(Duration.between(old.createdAt(), old.expiresAt()));
            ApiKeyService.CreatedKey replacement = keys.insert(old.appId(), old.name(), old.scopes(), expiresAt,
                    ApiKeySecrets.generate());
            Instant graceEnd = now.plus(grace);
            if (old.expiresAt() != null && old.expiresAt().isBefore(graceEnd)) {
                graceEnd = old.expiresAt();
            }
            boolean revokeNow = grace.isZero();
            repository.replace(old.id(), replacement.key().id(), revokeNow ? old.expiresAt() : graceEnd,
                    revokeNow ? now : null);
            audit.record(AuditEntry.success(old.appId() == null ? "admin_key.rotated" : "api_key.rotated", old.appId(),
                    old.id())
                    .with("new_key_id", replacement.key().id())
                    .with("grace_seconds", grace.toSeconds())
                    .with("old_key_expires_at", revokeNow ? old.expiresAt() : graceEnd)
                    .with("new_key_expires_at", expiresAt));
            credentials.changed(old.id());
            ApiKey marked = new ApiKey(old.id(), old.appId(), old.name(), old.scopes(), old.hint(), old.createdAt(),
                    revokeNow ? old.expiresAt() : graceEnd, revokeNow ? now : null, old.lastUsedAt(),
                    replacement.key().id(), old.bootstrap());
            return new KeyOutcomes.Rotated(replacement, marked);
        });
    }
}
