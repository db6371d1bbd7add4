package dev.otpgate.access;

import dev.otpgate.apps.AppDirectory;
import dev.otpgate.audit.AuditContext;
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
    private final ApiKeyCredentials credentials;
    private final KeyUsage usage;
    private final AuditTrail audit;
    private final Clock clock;

    ApiKeyService(ApiKeyRepository repository, AppDirectory apps, ApiKeyCredentials credentials, KeyUsage usage,
            AuditTrail audit, Clock clock) {
        this.repository = repository;
        this.apps = apps;
        this.credentials = credentials;
        this.usage = usage;
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
        requireFuture(expiresAt);
        CreatedKey created = insert(appId, name, scopes.isEmpty() ? DEFAULT_APP_SCOPES : scopes, expiresAt,
                ApiKeySecrets.generate());
        audit.record(created("api_key.created", created.key()));
        return created;
    }

    /** The row of a new key: its id, name, scopes and expiry, never its secret, hint or hash. */
    static AuditEntry created(String action, ApiKey key) {
        return AuditEntry.success(action, key.appId(), key.id())
                .with("name", key.name())
                .with("scopes", String.join(" ", key.scopes().stream().map(Scope::value).sorted().toList()))
                .with("expires_at", key.expiresAt());
    }

    /**
     * The bootstrap admin key and its audit row (actor {@code system}), in one transaction. Throws
     * {@link org.springframework.dao.DuplicateKeyException} when another node inserted its bootstrap key first.
     */
    @Transactional
    CreatedKey insertBootstrap(String secret) {
        CreatedKey created = insert(null, "bootstrap admin", EnumSet.of(Scope.ADMIN), null, secret, true);
        audit.record(created("admin_key.created", created.key()).with("bootstrap", true)
                .by(AuditContext.SYSTEM, null));
        return created;
    }

    CreatedKey insert(String appId, String name, Set<Scope> scopes, Instant expiresAt, String secret) {
        return insert(appId, name, scopes, expiresAt, secret, false);
    }

    CreatedKey insert(String appId, String name, Set<Scope> scopes, Instant expiresAt, String secret, boolean bootstrap) {
        ApiKey key = new ApiKey(Ids.newId("key"), appId, name, EnumSet.copyOf(scopes), ApiKeySecrets.hint(secret),
                clock.instant(), expiresAt, null, null, null, bootstrap);
        repository.insert(key, ApiKeySecrets.hash(secret));
        return new CreatedKey(key, secret);
    }

    void requireFuture(Instant expiresAt) {
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw ApiProblem.invalid("expires_at", "must be in the future");
        }
    }

    List<ApiKey> list(String appId) {
        apps.find(appId).orElseThrow(() -> ApiProblem.notFound("app"));
        return withUnwrittenUse(repository.findByApp(appId));
    }

    /** Keys as listed: with the uses this node saw and has not written yet, so its own view is never stale. */
    List<ApiKey> withUnwrittenUse(List<ApiKey> keys) {
        return keys.stream().map(key -> usage.unwritten(key.id())
                .filter(at -> key.lastUsedAt() == null || at.isAfter(key.lastUsedAt()))
                .map(at -> new ApiKey(key.id(), key.appId(), key.name(), key.scopes(), key.hint(), key.createdAt(),
                        key.expiresAt(), key.revokedAt(), at, key.replacedBy(), key.bootstrap()))
                .orElse(key)).toList();
    }

    /**
     * Revokes at once on every node: the next request with this key is refused (S-24). Revoking twice is not an
     * error. The revocation and its audit row commit together.
     */
    @Transactional
    KeyOutcomes.Revocation revoke(String appId, String keyId) {
        if (repository.revoke(appId, keyId, clock.instant())) {
            credentials.changed(keyId);
            audit.record(AuditEntry.success("api_key.revoked", appId, keyId));
            return new KeyOutcomes.Revoked();
        }
        return repository.exists(appId, keyId) ? new KeyOutcomes.Revoked() : new KeyOutcomes.NoSuchKey();
    }

    /** The caller a presented secret stands for, if the secret is well formed, live and known. */
    Optional<Caller> authenticate(String secret) {
        return credentials.authenticate(secret);
    }
}
