package dev.otpgate.access;

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
 * cannot both pass.
 */
@Service
class AdminKeyService {

    private final ApiKeyRepository repository;
    private final ApiKeyService keys;
    private final ApiKeyCredentials credentials;
    private final TransactionTemplate transactions;
    private final Clock clock;

    AdminKeyService(ApiKeyRepository repository, ApiKeyService keys, ApiKeyCredentials credentials,
            TransactionTemplate transactions, Clock clock) {
        this.repository = repository;
        this.keys = keys;
        this.credentials = credentials;
        this.transactions = transactions;
        this.clock = clock;
    }

    ApiKeyService.CreatedKey create(String name, Instant expiresAt) {
        keys.requireFuture(expiresAt);
        return keys.insert(null, name, EnumSet.of(Scope.ADMIN), expiresAt, ApiKeySecrets.generate());
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
            credentials.changed(keyId);
            return new KeyOutcomes.Revoked();
        });
    }
}
