package dev.otpgate.totp;

import java.time.Instant;

/** Events of the TOTP module. None carries a seed, a code or a recovery code. */
public final class TotpEvents {

    private TotpEvents() {}

    public record FactorEnrolled(String factorId, String appId, Instant at) {}

    public record FactorActivated(String factorId, String appId, Instant at) {}

    public record FactorRevoked(String factorId, String appId, Instant at) {}

    public record FactorLocked(String factorId, String appId, Instant until, Instant at) {}

    /** A code for a step at or before the last accepted one was presented again (S-19). */
    public record CodeReplayed(String factorId, String appId, long step, Instant at) {}

    public record RecoveryCodeUsed(String factorId, String appId, Instant at) {}
}
