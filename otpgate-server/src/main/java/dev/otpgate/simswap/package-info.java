/**
 * SIM swap: the CAMARA SIM Swap check that the delivery worker asks before an SMS or voice step (S-07, S-08).
 * It owns the OAuth 2.0 client-credentials token and the call to {@code POST /sim-swap/v2/check}, and answers
 * a {@link dev.otpgate.delivery.SendGate.Decision}. It does not move a workflow on or fail a verification; the
 * core does that with the decision, and other modules may listen to {@link dev.otpgate.simswap.SimSwapDetected}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "SIM swap",
        allowedDependencies = {"platform", "apps", "privacy", "delivery", "delivery :: provider", "audit"})
package dev.otpgate.simswap;
