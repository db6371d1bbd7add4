package dev.otpgate.delivery;

/**
 * Implemented by the module that owns verifications: the worker asks it whether a step still deserves a send
 * (a canceled or resent verification does not) and tells it how the send went.
 */
public interface DeliveryTracker {

    boolean isCurrent(String verificationId, int step);

    void sent(String verificationId, int step, String providerId);

    /** @param reason a short reason without secrets, shown to the app */
    void failed(String verificationId, int step, String reason);

    /**
     * A {@link SendGate} blocked the phone channels for this verification (a SIM swap): the workflow moves to its
     * next non-phone step, or the verification fails with {@code reason}.
     */
    void phoneBlocked(String verificationId, int step, String reason);

    /** A receipt said the step's message was not delivered: the workflow moves on if the step is current. */
    void undelivered(String verificationId, int step, String reason);
}
