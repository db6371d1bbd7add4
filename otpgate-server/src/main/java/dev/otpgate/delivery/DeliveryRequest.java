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
        Instant queuedAt) {

    @Override
    public String toString() {
        return "DeliveryRequest[" + verificationId + " step " + step + " " + channel + "]";
    }
}
