package dev.otpgate.access.oauth;

import dev.otpgate.access.Scope;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.platform.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * OAuth 2.0 clients of an app: create (the secret is returned once), list, rotate the secret with a grace
 * period, delete. A deleted client gets no new token at once; tokens it already has live until their
 * {@code exp} (at most {@code token_ttl_seconds}), since checking a token reads no database (S-26). Each change
 * commits with its audit row ({@code oauth_client.created}, {@code .secret_rotated}, {@code .deleted}), or neither
 * does; the row holds ids, the name, scopes and durations, never a secret, hint or hash.
 */
@Service
class OAuthClientService {

    static final int DEFAULT_TOKEN_TTL_SECONDS = 300;
    static final int MIN_TOKEN_TTL_SECONDS = 60;
    static final int MAX_TOKEN_TTL_SECONDS = (int) dev.otpgate.platform.JwtKeySet.MAX_TOKEN_LIFETIME.toSeconds();
    static final long DEFAULT_GRACE_SECONDS = 86_400;
    static final long MAX_GRACE_SECONDS = 604_800;

    record CreatedClient(OAuthClient client, String secret) {

        @Override
        public String toString() {
            return "CreatedClient[" + client.id() + "]";
        }
    }

    /** What a secret rotation came to. */
    sealed interface Rotation {

        record Rotated(OAuthClient client, String secret) implements Rotation {

            @Override
            public String toString() {
                return "Rotated[" + client.id() + "]";
            }
        }

        record NotFound() implements Rotation {}

        /** The previous secret is still in its grace period: one rotation at a time. */
        record AlreadyInGrace(Instant graceEndsAt) implements Rotation {}
    }

    private final OAuthClientRepository repository;
    private final AppDirectory apps;
    private final AuditTrail audit;
    private final Clock clock;

    OAuthClientService(OAuthClientRepository repository, AppDirectory apps, AuditTrail audit, Clock clock) {
        this.repository = repository;
        this.apps = apps;
        this.audit = audit;
        this.clock = clock;
    }

    boolean appExists(String appId) {
        return apps.find(appId).isPresent();
    }

    /** Scopes must already be app scopes (never {@link Scope#ADMIN}); the TTL already in range. */
    @Transactional
    CreatedClient create(String appId, String name, Set<Scope> scopes, int tokenTtlSeconds) {
        String secret = OAuthClientSecrets.generate();
        OAuthClient client = new OAuthClient(Ids.newId("oc"), appId, name, EnumSet.copyOf(scopes), tokenTtlSeconds,
                OAuthClientSecrets.hint(secret), clock.instant(), null, null);
        repository.insert(client, OAuthClientSecrets.hash(secret));
        audit.record(AuditEntry.success("oauth_client.created", appId, client.id())
                .with("name", name)
                .with("scopes", String.join(" ", scopes.stream().map(Scope::value).sorted().toList()))
                .with("token_ttl_seconds", tokenTtlSeconds));
        return new CreatedClient(client, secret);
    }

    List<OAuthClient> list(String appId) {
        return repository.findByApp(appId);
    }

    /**
     * A new secret; the old one keeps authenticating for {@code grace} (zero: it stops at once). A client whose
     * previous secret is still in its grace period is not rotated again.
     */
    @Transactional
    Rotation rotate(String appId, String clientId, Duration grace) {
        Instant now = clock.instant();
        Optional<OAuthClient> found = repository.find(appId, clientId);
        if (found.isEmpty()) {
            return new Rotation.NotFound();
        }
        if (found.get().inGraceAt(now)) {
            return new Rotation.AlreadyInGrace(found.get().previousSecretExpiresAt());
        }
        String secret = OAuthClientSecrets.generate();
        if (!repository.rotate(appId, clientId, OAuthClientSecrets.hash(secret), OAuthClientSecrets.hint(secret),
                now.plus(grace), now)) {
            // Another rotation (or a delete) won the race.
            return repository.find(appId, clientId)
                    .<Rotation>map(client -> new Rotation.AlreadyInGrace(client.previousSecretExpiresAt()))
                    .orElseGet(Rotation.NotFound::new);
        }
        audit.record(AuditEntry.success("oauth_client.secret_rotated", appId, clientId)
                .with("grace_seconds", grace.toSeconds())
                .with("previous_secret_expires_at", now.plus(grace)));
        return new Rotation.Rotated(repository.find(appId, clientId).orElseThrow(), secret);
    }

    @Transactional
    boolean delete(String appId, String clientId) {
        if (!repository.delete(appId, clientId)) {
            return false;
        }
        audit.record(AuditEntry.success("oauth_client.deleted", appId, clientId));
        return true;
    }
}
