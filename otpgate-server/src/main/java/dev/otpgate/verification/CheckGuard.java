package dev.otpgate.verification;

/**
 * Limits on checks beyond a verification's own attempt cap: per client IP, and consecutive failures per
 * destination across verifications (S-12, S-32). {@link #before} runs once the verification is read and before
 * the code is compared; it refuses by throwing an {@link dev.otpgate.platform.ApiProblem} (429 with
 * {@code Retry-After}). {@link #after} learns each outcome. The per-verification cap holds whatever a guard
 * does, also when its store is down.
 */
public interface CheckGuard {

    void before(CheckAttempt attempt);

    /** @param approved true when the code was right, false for a counted wrong guess */
    default void after(CheckAttempt attempt, boolean approved) {}

    /**
     * @param destinationIndex the blind index of the verification's destination (never the destination)
     * @param clientIp the caller's address as S-27 resolves it (the socket, or a trusted proxy's X-Forwarded-For)
     */
    record CheckAttempt(String appId, String verificationId, byte[] destinationIndex, String clientIp) {}
}
