package dev.otpgate.totp;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HOTP (RFC 4226) and TOTP (RFC 6238) with the JDK's HMAC only.
 *
 * <p>This class computes codes; it deliberately does not throttle guesses (RFC 4226 section 7.3), guard against
 * replay of an accepted step (RFC 6238 section 5.2), resynchronise counters (RFC 4226 section 7.4) or choose
 * the clock: callers do, with the server's clock (S-20). Comparing a submitted code with a computed one is the
 * caller's job too, in constant time.
 */
public final class OneTimePasswords {

    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    /**
     * One uninitialised {@code Mac} per algorithm (by ordinal), its provider already chosen; each call works on a
     * clone. {@code Mac.getInstance} followed by {@code init} looks the provider up and selects it again on every
     * call, which was about a third of the cost of a code (bench/README-totp.md). A per-thread cache would not help
     * the server, which runs each request on a new virtual thread. The prototypes are never initialised or updated,
     * only cloned, so sharing them between threads is safe. A JCA provider installed after this class is
     * initialised is not picked up (otpgate installs none). {@code null} where a provider's Mac cannot be cloned:
     * those calls use getInstance as before.
     */
    private static final Mac[] PROTOTYPES = prototypes();

    private OneTimePasswords() {}

    /**
     * The HOTP value of {@code counter}: HMAC over the 8-byte big-endian counter, dynamic truncation
     * (RFC 4226 section 5.3), then the low {@code digits} decimal digits, zero-padded.
     */
    public static String hotp(byte[] key, long counter, int digits, OtpAlgorithm algorithm) {
        if (digits < 6 || digits > 8) {
            throw new IllegalArgumentException("digits must be 6–8, was " + digits);
        }
        byte[] message = new byte[8];
        for (int i = 7; i >= 0; i--) {
            message[i] = (byte) (counter & 0xff);
            counter >>>= 8;
        }
        byte[] hash = mac(key, algorithm).doFinal(message);
        int offset = hash[hash.length - 1] & 0x0f;
        int binary = ((hash[offset] & 0x7f) << 24)
                | ((hash[offset + 1] & 0xff) << 16)
                | ((hash[offset + 2] & 0xff) << 8)
                | (hash[offset + 3] & 0xff);
        String value = Integer.toString(binary % POWERS_OF_TEN[digits]);
        return "0".repeat(digits - value.length()) + value;
    }

    /** The RFC 6238 time step T = floor((unix time − T0) / period), with T0 = 0. */
    public static long timeStep(Instant time, Duration period) {
        return Math.floorDiv(time.getEpochSecond(), period.toSeconds());
    }

    /** The TOTP value at {@code time}: HOTP of its time step (RFC 6238 section 4.2). */
    public static String totp(byte[] key, Instant time, Duration period, int digits, OtpAlgorithm algorithm) {
        return hotp(key, timeStep(time, period), digits, algorithm);
    }

    private static Mac mac(byte[] key, OtpAlgorithm algorithm) {
        try {
            Mac mac = newMac(algorithm);
            mac.init(new SecretKeySpec(key, algorithm.macName()));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC unavailable: " + algorithm.macName(), e);
        }
    }

    private static Mac newMac(OtpAlgorithm algorithm) throws NoSuchAlgorithmException {
        Mac prototype = PROTOTYPES[algorithm.ordinal()];
        if (prototype != null) {
            try {
                return (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                // Not expected: prototypes() only keeps a Mac it has cloned once already.
            }
        }
        return Mac.getInstance(algorithm.macName());
    }

    private static Mac[] prototypes() {
        OtpAlgorithm[] algorithms = OtpAlgorithm.values();
        Mac[] prototypes = new Mac[algorithms.length];
        for (OtpAlgorithm algorithm : algorithms) {
            try {
                Mac prototype = Mac.getInstance(algorithm.macName());
                // The first clone makes the provider choice now, during class initialisation, so later clones only
                // read the prototype; it also proves the provider's Mac can be cloned.
                prototype.clone();
                prototypes[algorithm.ordinal()] = prototype;
            } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
                prototypes[algorithm.ordinal()] = null;
            }
        }
        return prototypes;
    }
}
