package dev.otpgate.access;

import dev.otpgate.apps.AppDirectory;
import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.Ids;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class ApiKeyService {

    /** What an app key gets when the request names no scopes. */
    static final Set<Scope> DEFAULT_APP_SCOPES = EnumSet.of(Scope.VERIFICATIONS_START, Scope.VERIFICATIONS_CHECK);

    record CreatedKey(ApiKey key, String secret) {}

    private final ApiKeyRepository repository;
    private final AppDirectory apps;
    private final AuditTrail audit;
    private final Clock clock;

    ApiKeyService(ApiKeyRepository repository, AppDirectory apps, AuditTrail audit, Clock clock) {
        this.repository = repository;
        this.apps = apps;
        this.audit = audit;
        this.clock = clock;
    }

    /** Creates a key and its audit row in one transaction: no key exists without its row. */
    @Transactional
    CreatedKey create(String appId, String name, Set<Scope> scopes, Instant expiresAt) {
        apps.find(appId).orElseThrow(() -> ApiProblem.notFound("app"));
        if (scopes.contains(Scope.ADMIN)) {
            throw ApiProblem.invalid("scopes", "admin is instance-wide and cannot be given to an app key");
        }
        Instant now = clock.instant();
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw ApiProblem.invalid("expires_at", "must be in the future");
        }
        CreatedKey created = insert(appId, name, scopes.isEmpty() ? DEFAULT_APP_SCOPES : scopes, expiresAt, ApiKeySecrets.generate());
        audit.record(AuditEntry.success("api_key.created", appId, created.key().id())
                .with("scopes", String.join(" ", created.key().scopes().stream().map(Scope::value).sorted().toList()))
                .with("expires_at", expiresAt));
        return created;
    }

    CreatedKey insert(String appId, String name, Set<Scope> scopes, Instant expiresAt, String secret) {
        ApiKey key = new ApiKey(Ids.newId("key"), appId, name, EnumSet.copyOf(scopes), ApiKeySecrets.hint(secret),
                clock.instant(), expiresAt, null);
        repository.insert(key, ApiKeySecrets.hash(secret));
        return new CreatedKey(key, secret);
    }

    List<ApiKey> list(String appId) {
        apps.find(appId).orElseThrow(() -> ApiProblem.notFound("app"));
        return repository.findByApp(appId);
    }

    /** Revokes at once: the next request with this key is refused (S-24). Revoking twice is not an error. */
    @Transactional
    void revoke(String appId, String keyId) {
        if (repository.revoke(appId, keyId, clock.instant())) {
            audit.record(AuditEntry.success("api_key.revoked", appId, keyId));
        } else if (!repository.exists(appId, keyId)) {
            throw ApiProblem.notFound("API key");
        }
    }

    /** The caller a presented secret stands for, if the secret is well formed, live and known. */
    Optional<Caller> authenticate(String secret) {
        if (!ApiKeySecrets.wellFormed(secret)) {
            return Optional.empty();
        }
        return repository.findActive(ApiKeySecrets.hash(secret), clock.instant())
                .map(key -> new Caller(key.id(), key.appId(), key.scopes()));
    }
}
