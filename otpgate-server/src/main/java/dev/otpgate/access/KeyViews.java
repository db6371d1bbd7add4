package dev.otpgate.access;

import dev.otpgate.platform.ApiProblem;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** What the key endpoints share: the JSON of a key, request checks, and outcomes turned into answers. */
final class KeyViews {

    private KeyViews() {}

    record KeyView(String id, String appId, String name, List<String> scopes, String hint, Instant createdAt,
            Instant expiresAt, Instant revokedAt, Instant lastUsedAt, String replacedBy, Boolean bootstrap,
            String secret) {

        @Override
        public String toString() {
            return "KeyView[" + id + "]";
        }

        static KeyView of(ApiKey key, String secret) {
            return new KeyView(key.id(), key.appId(), key.name(), key.scopes().stream().map(Scope::value).sorted().toList(),
                    key.hint(), key.createdAt(), key.expiresAt(), key.revokedAt(), key.lastUsedAt(), key.replacedBy(),
                    key.bootstrap() ? Boolean.TRUE : null, secret);
        }
    }

    /** {@code POST …/rotate}: an absent body or an absent {@code grace_seconds} means the default, one day. */
    record RotateRequest(Long graceSeconds) {}

    static String name(String given) {
        String name = given == null ? "api key" : given.strip();
        if (name.isEmpty() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.invalid("name", "must be 1–100 printable characters");
        }
        return name;
    }

    static Duration grace(RotateRequest request) {
        if (request == null || request.graceSeconds() == null) {
            return KeyRotation.DEFAULT_GRACE;
        }
        long seconds = request.graceSeconds();
        if (seconds < 0 || seconds > KeyRotation.MAX_GRACE.toSeconds()) {
            throw ApiProblem.invalid("grace_seconds", "must be 0–" + KeyRotation.MAX_GRACE.toSeconds());
        }
        return Duration.ofSeconds(seconds);
    }

    static void revoked(KeyOutcomes.Revocation outcome) {
        switch (outcome) {
            case KeyOutcomes.Revoked revoked -> { }
            case KeyOutcomes.NoSuchKey missing -> throw ApiProblem.notFound("API key");
            case KeyOutcomes.LastAdminKey last -> throw new ApiProblem(HttpStatus.CONFLICT, "last-admin-key",
                    "Last admin key", "this is the last active admin key; create another admin key before revoking it");
        }
    }

    static ResponseEntity<KeyView> rotated(KeyOutcomes.Rotation outcome, String collection) {
        return switch (outcome) {
            case KeyOutcomes.Rotated rotated -> ResponseEntity
                    .created(URI.create(collection + "/" + rotated.replacement().key().id()))
                    .body(KeyView.of(rotated.replacement().key(), rotated.replacement().secret()));
            case KeyOutcomes.NoSuchKey missing -> throw ApiProblem.notFound("API key");
            case KeyOutcomes.NotRotatable refused -> throw switch (refused.reason()) {
                case REVOKED -> new ApiProblem(HttpStatus.CONFLICT, "key-revoked", "Key revoked",
                        "a revoked key cannot be rotated");
                case EXPIRED -> new ApiProblem(HttpStatus.CONFLICT, "key-expired", "Key expired",
                        "an expired key cannot be rotated");
                case IN_GRACE_PERIOD -> new ApiProblem(HttpStatus.CONFLICT, "key-rotated", "Key already rotated",
                        "this key was already replaced and is in its grace period; rotate its replacement instead");
            };
        };
    }
}
