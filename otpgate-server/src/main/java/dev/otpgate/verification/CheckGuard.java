package dev.otpgate.verification;

/**
 * Limits on checks beyond a verification's own attempt cap: per end-user IP, and consecutive failures per
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
     * @param destinationIndexes the blind indexes of the verification's destination (never the destination): one,
     *        or during an index-key rotation one per key in play
     * @param endUserIp the address of the person typing the code, as the app passed it ({@code end_user.ip}), or
     *        {@code null}. Never the caller's socket: for a server-to-server API that is the app's backend, and
     *        limiting it would throttle every user of the app as one.
     */
    record CheckAttempt(String appId, String verificationId, java.util.List<byte[]> destinationIndexes, String endUserIp) {}
}
