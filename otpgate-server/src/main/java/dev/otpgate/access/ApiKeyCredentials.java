package dev.otpgate.access;

import dev.otpgate.apps.AppDirectory;
import dev.otpgate.platform.CacheProperties;
import dev.otpgate.platform.Invalidations;
import dev.otpgate.platform.NodeCache;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Answers "which caller is this secret" from a per-node cache, so a request costs no database read once its key
 * is known. Every revocation, rotation or app deletion, on any node, drops the entry through
 * {@link Invalidations} (topic {@value #CHANGED}); expiry and grace ends are compared with the clock on every
 * request, never left to the cache's time to live.
 */
@Component
class ApiKeyCredentials {

    /** The invalidation topic of keys; the id is the key's. */
    static final String CHANGED = "api-key";

    private final ApiKeyRepository repository;
    private final KeyUsage usage;
    private final Invalidations invalidations;
    private final Clock clock;
    private final NodeCache<ApiKey> cache;

    ApiKeyCredentials(ApiKeyRepository repository, KeyUsage usage, Invalidations invalidations, Clock clock,
            CacheProperties cacheProperties) {
        this.repository = repository;
        this.usage = usage;
        this.invalidations = invalidations;
        this.clock = clock;
        this.cache = new NodeCache<>(cacheProperties);
        invalidations.subscribe(CHANGED, cache.dropping((key, id) -> key.id().equals(id)));
        invalidations.subscribe(AppDirectory.CHANGED, cache.dropping((key, appId) -> appId.equals(key.appId())));
    }

    /** The caller a presented secret stands for, if the secret is well formed, live and known. */
    Optional<Caller> authenticate(String secret) {
        if (!ApiKeySecrets.wellFormed(secret)) {
            return Optional.empty();
        }
        byte[] hash = ApiKeySecrets.hash(secret);
        Instant now = clock.instant();
        Optional<ApiKey> key = cache.get(Base64.getEncoder().encodeToString(hash), () -> repository.findUsable(hash, now))
                .filter(found -> found.usableAt(now));
        key.ifPresent(found -> usage.used(found.id(), now));
        return key.map(found -> new Caller(found.id(), found.appId(), found.scopes()));
    }

    /** Tells every node that this key changed; call inside the transaction that changes it. */
    void changed(String keyId) {
        invalidations.publish(CHANGED, keyId);
    }
}
