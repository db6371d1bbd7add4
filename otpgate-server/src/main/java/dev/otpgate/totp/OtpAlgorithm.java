package dev.otpgate.totp;

import java.util.Locale;

/** The HMAC functions RFC 6238 section 1.2 allows, with the seed length S-16 asks for each. */
public enum OtpAlgorithm {
    SHA1("HmacSHA1", 20),
    SHA256("HmacSHA256", 32),
    SHA512("HmacSHA512", 64);

    private final String macName;
    private final int seedBytes;

    OtpAlgorithm(String macName, int seedBytes) {
        this.macName = macName;
        this.seedBytes = seedBytes;
    }

    /** The JCA name of the MAC, such as {@code HmacSHA256}. */
    public String macName() {
        return macName;
    }

    /** The seed length generated for this algorithm: the HMAC's output length (RFC 4226 section 4, S-16). */
    public int seedBytes() {
        return seedBytes;
    }

    public static OtpAlgorithm of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
