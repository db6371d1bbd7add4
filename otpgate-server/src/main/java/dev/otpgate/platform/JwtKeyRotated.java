package dev.otpgate.platform;

import java.time.Instant;

/**
 * A new JWT signing key signs access tokens from now on; the previous one stays published until
 * {@code previousWithdrawnAt}. Key ids only: the keys themselves never leave {@link JwtKeySet}.
 */
public record JwtKeyRotated(String keyId, String previousKeyId, Instant previousWithdrawnAt, Instant at) {}
