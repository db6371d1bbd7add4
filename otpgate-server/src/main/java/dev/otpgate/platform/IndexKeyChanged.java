package dev.otpgate.platform;

import java.time.Instant;

/**
 * A step of an index key rotation took effect: {@code rotated} (a secondary key was added), {@code promoted} (it
 * became primary) or {@code retired} (the previous key was removed).
 */
public record IndexKeyChanged(String step, String keyId, Instant at) {}
