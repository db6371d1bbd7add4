package dev.otpgate.access;

/** What a change to a key came to; only the web edge turns these into HTTP answers. */
final class KeyOutcomes {

    private KeyOutcomes() {}

    sealed interface Revocation permits Revoked, NoSuchKey, LastAdminKey {}

    sealed interface Rotation permits Rotated, NoSuchKey, NotRotatable {}

    /** The key is revoked (now, or it was already). */
    record Revoked() implements Revocation {}

    record NoSuchKey() implements Revocation, Rotation {}

    /** Revoking it would leave no active admin key: nobody could manage the instance any more. */
    record LastAdminKey() implements Revocation {}

    record Rotated(ApiKeyService.CreatedKey replacement, ApiKey old) implements Rotation {}

    /** The key is revoked, expired or already replaced (in its grace period), so it cannot be rotated. */
    record NotRotatable(Reason reason) implements Rotation {}

    enum Reason {
        REVOKED,
        EXPIRED,
        IN_GRACE_PERIOD
    }
}
