package dev.otpgate.access;

import java.time.Instant;
import java.util.Set;

/**
 * An API key as stored: never its secret, only a hint of it. {@code appId} is null for an instance-wide admin key;
 * {@code replacedBy} names the key that replaced this one by rotation (this one then lives until its
 * {@code expiresAt}, the end of the grace period); {@code bootstrap} marks the key made at first start.
 */
record ApiKey(String id, String appId, String name, Set<Scope> scopes, String hint, Instant createdAt,
        Instant expiresAt, Instant revokedAt, Instant lastUsedAt, String replacedBy, boolean bootstrap) {

    /** Accepted at {@code now}: not revoked and not past its expiry (or its grace period's end). */
    boolean usableAt(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }

    /** Usable and not replaced: the key that stands for its name and scopes, which may be rotated. */
    boolean activeAt(Instant now) {
        return usableAt(now) && replacedBy == null;
    }

    boolean admin() {
        return appId == null;
    }
}
