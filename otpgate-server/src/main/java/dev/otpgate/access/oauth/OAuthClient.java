package dev.otpgate.access.oauth;

import dev.otpgate.access.Scope;
import java.time.Instant;
import java.util.Set;

/**
 * An OAuth 2.0 client as stored: never its secret, only a hint of it. {@code previousSecretExpiresAt} is set
 * while a rotated-out secret still authenticates (its grace period).
 */
record OAuthClient(String id, String appId, String name, Set<Scope> scopes, int tokenTtlSeconds, String secretHint,
        Instant createdAt, Instant secretRotatedAt, Instant previousSecretExpiresAt) {

    boolean inGraceAt(Instant now) {
        return previousSecretExpiresAt != null && previousSecretExpiresAt.isAfter(now);
    }
}
