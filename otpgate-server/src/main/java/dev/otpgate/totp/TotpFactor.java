package dev.otpgate.totp;

import java.time.Duration;
import java.time.Instant;

/** A factor as stored: the seed only as ciphertext. */
record TotpFactor(
        String id,
        String appId,
        String account,
        String issuer,
        OtpAlgorithm algorithm,
        int digits,
        int periodSeconds,
        byte[] seedCiphertext,
        Status status,
        Long lastStep,
        int failures,
        int lockLevel,
        Instant lockedUntil,
        Instant createdAt,
        Instant updatedAt,
        Instant activatedAt,
        Instant expiresAt) {

    enum Status {
        UNVERIFIED,
        ACTIVE;

        String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    Duration period() {
        return Duration.ofSeconds(periodSeconds);
    }

    boolean lockedAt(Instant now) {
        return lockedUntil != null && now.isBefore(lockedUntil);
    }

    @Override
    public String toString() {
        return "TotpFactor[" + id + " " + status + "]";
    }
}
