package dev.otpgate.verification;

/**
 * Limits on checks beyond a verification's own attempt cap: per client IP, and consecutive failures per
 * destination across verifications (S-12, S-32). {@link #before} runs once the verification is read and before
 * the code is compared; it answers a {@link Refusal} (a lockout or a limit, with its wait) or {@code null} to let
 * the check go on. {@link #after} learns each outcome. The per-verification cap holds whatever a guard
 * does, also when its store is down.
 */
public interface CheckGuard {

    /** @return why the check may not go on, or {@code null} */
    Refusal before(CheckAttempt attempt);

    /** @param approved true when the code was right, false for a counted wrong guess */
    default void after(CheckAttempt attempt, boolean approved) {}

    /**
     * @param destinationIndex the blind index of the verification's destination (never the destination)
     * @param clientIp the caller's address as S-27 resolves it (the socket, or a trusted proxy's X-Forwarded-For)
     */
    record CheckAttempt(String appId, String verificationId, byte[] destinationIndex, String clientIp) {}
}
