package dev.otpgate.access;

import java.time.Instant;
import java.util.Set;

/** An API key as stored: never its secret, only a hint of it. */
record ApiKey(String id, String appId, String name, Set<Scope> scopes, String hint, Instant createdAt,
        Instant expiresAt, Instant revokedAt) {}
