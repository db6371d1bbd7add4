package dev.otpgate.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The format of API key secrets: {@code otpg_} + 40 base62 characters (238 random bits, S-03) + a 6-character
 * base62 CRC32 of them, so secret scanners recognise a key and a mistyped one is refused without a database
 * look-up (S-24). Only a SHA-256 of the secret is stored: the secret is random, so no slow hash is needed.
 */
public final class ApiKeySecrets {

    static final String PREFIX = "otpg_";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int RANDOM_LENGTH = 40;
    private static final int CHECKSUM_LENGTH = 6;
    static final int LENGTH = PREFIX.length() + RANDOM_LENGTH + CHECKSUM_LENGTH;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeySecrets() {}

    /** A new secret; also what {@code java -jar otpgate.jar generate-key} prints. */
    public static String generate() {
        StringBuilder body = new StringBuilder(RANDOM_LENGTH);
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            body.append(BASE62.charAt(RANDOM.nextInt(62)));
        }
        return PREFIX + body + checksum(body.toString());
    }

    /** True when the secret has the right prefix, length, alphabet and checksum. */
    static boolean wellFormed(String secret) {
        if (secret == null || secret.length() != LENGTH || !secret.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            if (BASE62.indexOf(secret.charAt(i)) < 0) {
                return false;
            }
        }
        String body = secret.substring(PREFIX.length(), PREFIX.length() + RANDOM_LENGTH);
        return MessageDigest.isEqual(checksum(body).getBytes(StandardCharsets.US_ASCII),
                secret.substring(PREFIX.length() + RANDOM_LENGTH).getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What may be shown of a key after creation: its prefix and last four characters. */
    static String hint(String secret) {
        return PREFIX + "…" + secret.substring(secret.length() - 4);
    }

    private static String checksum(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] out = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            out[i] = BASE62.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(out);
    }
}
