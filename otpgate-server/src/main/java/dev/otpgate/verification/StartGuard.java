package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.privacy.Destination;

/**
 * A check that runs before a verification is started, outside its transaction: rate limits and fraud rules
 * implement it and refuse a start by throwing an {@link dev.otpgate.platform.ApiProblem} (429 with
 * {@code Retry-After}, 403, 422). Guards run in {@link org.springframework.core.annotation.Order} order.
 *
 * @see StartAttempt
 */
public interface StartGuard {

    void check(StartAttempt attempt);

    /** What a guard may look at. The destination is normalised, so aliasing cannot slip past a limit (S-33). */
    record StartAttempt(App app, Destination destination, byte[] destinationIndex, String channel, String endUserIp,
            String apiKeyId) {}
}
