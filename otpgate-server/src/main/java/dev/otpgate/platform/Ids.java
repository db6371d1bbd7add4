package dev.otpgate.platform;

import java.security.SecureRandom;

/**
 * Prefixed random identifiers ({@code vrf_…}, {@code app_…}) with 130 random bits from {@link SecureRandom}
 * (S-01, S-03), in lower-case base32 so that they are safe in URLs and easy to read aloud.
 */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int LENGTH = 26;

    private Ids() {}

    public static String newId(String prefix) {
        return prefix + "_" + random(LENGTH);
    }

    /** {@code length} base32 characters, five random bits each. */
    public static String random(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[bytes[i] & 31];
        }
        return new String(out);
    }

    public static boolean looksLike(String prefix, String id) {
        if (id == null || id.length() != prefix.length() + 1 + LENGTH || !id.startsWith(prefix + "_")) {
            return false;
        }
        for (int i = prefix.length() + 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) {
                return false;
            }
        }
        return true;
    }
}
