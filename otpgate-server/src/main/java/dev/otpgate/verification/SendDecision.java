package dev.otpgate.verification;

/**
 * The answer of a {@link SendRule} or of the whole {@link SendPolicy} for one send: allowed, possibly with the
 * quota the tightest rate limit has left, or refused with a {@link Refusal}. Never an exception.
 */
public sealed interface SendDecision {

    static SendDecision allowed() {
        return Allowed.PLAIN;
    }

    static SendDecision allowed(Refusal.Quota quota) {
        return new Allowed(quota);
    }

    static SendDecision refused(Refusal refusal) {
        return new Refused(refusal);
    }

    /** @param quota the tightest rate limit's remaining quota, or {@code null} */
    record Allowed(Refusal.Quota quota) implements SendDecision {

        static final Allowed PLAIN = new Allowed(null);
    }

    record Refused(Refusal refusal) implements SendDecision {}
}
