package dev.otpgate.access;

import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Instance-wide admin keys, the bootstrap key among them. There is always at least one active admin key: revoking
 * the last one is refused, decided while every admin key row is locked so that two revocations racing each other
 * cannot both pass. Each creation and revocation commits with its audit row, or neither does.
 */
@Service
class AdminKeyService {

    private final ApiKeyRepository repository;
    private final ApiKeyService keys;
    private final ApiKeyCredentials credentials;
    private final TransactionTemplate transactions;
    private final AuditTrail audit;
    private final Clock clock;

    AdminKeyService(ApiKeyRepository repository, ApiKeyService keys, ApiKeyCredentials credentials,
            TransactionTemplate transactions, AuditTrail audit, Clock clock) {
        this.repository = repository;
        this.keys = keys;
        this.credentials = credentials;
        this.transactions = transactions;
        this.audit = audit;
        this.clock = clock;
    }

    ApiKeyService.CreatedKey create(String name, Instant expiresAt) {
        keys.requireFuture(expiresAt);
        return transactions.execute(status -> {
            ApiKeyService.CreatedKey created = keys.insert(null, name, EnumSet.of(Scope.ADMIN), expiresAt,
                    ApiKeySecrets.generate());
            audit.record(ApiKeyService.created("admin_key.created", created.key()));
            return created;
        });
    }

    List<ApiKey> list() {
        return keys.withUnwrittenUse(repository.findAdminKeys());
    }

    KeyOutcomes.Revocation revoke(String keyId) {
        return transactions.execute(status -> {
            Instant now = clock.instant();
            List<ApiKey> admins = repository.lockAdminKeys();
            Optional<ApiKey> target = admins.stream().filter(key -> key.id().equals(keyId)).findFirst();
            if (target.isEmpty()) {
                return new KeyOutcomes.NoSuchKey();
            }
            if (target.get().revokedAt() != null) {
                return new KeyOutcomes.Revoked();
            }
            boolean anotherActive = admins.stream().anyMatch(key -> !key.id().equals(keyId) && key.activeAt(now));
            if (target.get().activeAt(now) && !anotherActive) {
                return new KeyOutcomes.LastAdminKey();
            }
            repository.revokeAdmin(keyId, now);
            audit.record(AuditEntry.success("admin_key.revoked", null, keyId));
            credentials.changed(keyId);
            return new KeyOutcomes.Revoked();
        });
    }
}
