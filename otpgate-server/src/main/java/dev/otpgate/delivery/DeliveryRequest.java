package dev.otpgate.delivery;

import dev.otpgate.privacy.Destination;
import java.time.Instant;
import java.util.Map;

/**
 * What the worker needs to send one step of a verification. It travels through the job table encrypted under
 * the data key, because it carries the code in clear; {@link #toString()} leaves the code out.
 *
 * @param appHash the Android app hash for the SMS Retriever API, or null
 * @param test true for an app's test destination: the step is recorded as {@code test} and nothing is sent
 * @param stepTimeoutSeconds how long the step waits for approval once it is sent, as the workflow's owner set
 *        it; handed back on {@link DeliveryEvents.MessageSent} so the timer starts without a read. {@code null}:
 *        no timer
 */
public record DeliveryRequest(
        String appId,
        String verificationId,
        int step,
        String channel,
        Destination destination,
        String code,
        String brand,
        int ttlSeconds,
        String locale,
        Map<String, String> transaction,
        String appHash,
        boolean test,
        Instant queuedAt,
        Integer stepTimeoutSeconds) {

    /** True once the code this request carries has expired: sending it would only confuse the person. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(queuedAt.plusSeconds(ttlSeconds));
    }

    @Override
    public String toString() {
        return "DeliveryRequest[" + verificationId + " step " + step + " " + channel + "]";
    }
}
