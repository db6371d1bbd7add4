package dev.otpgate.simswap;

import java.time.Instant;

/**
 * The CAMARA SIM Swap API said the destination's SIM changed within the app's {@code maxAge}, so the phone
 * channels of the verification are blocked (S-07). It deliberately carries no phone number.
 */
public record SimSwapDetected(String verificationId, String appId, Instant at) {}
