package dev.otpgate.delivery;

import dev.otpgate.privacy.Destination;

/**
 * Asked by the worker before an SMS or voice step is sent (the SIM-swap check of S-07 implements it). It runs
 * off the request path and may call an external API.
 */
public interface SendGate {

    Decision check(String appId, String verificationId, Destination destination, String channel);

    /**
     * @param blockPhone true: no phone channel may be used for this verification any more
     * @param reason a short reason without secrets, such as {@code sim-swap-detected}
     */
    record Decision(boolean blockPhone, String reason) {

        public static final Decision ALLOW = new Decision(false, null);

        public static Decision block(String reason) {
            return new Decision(true, reason);
        }
    }
}
