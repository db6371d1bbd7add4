package dev.otpgate.delivery;

import dev.otpgate.privacy.Destination;
import java.time.Instant;
import java.util.Map;

/**
 * What the worker needs to send one step of a verification. It travels through the job table encrypted under
 * the data key, because it carries the code in clear; {@link #toString()} leaves the code out.
 */
public record DeliveryRequest(
        String verificationId,
        int step,
        String channel,
        Destination destination,
        String code,
        String brand,
        int ttlSeconds,
        String locale,
        Map<String, String> transaction,
        Instant queuedAt) {

    @Override
    public String toString() {
        return "DeliveryRequest[" + verificationId + " step " + step + " " + channel + "]";
    }
}
