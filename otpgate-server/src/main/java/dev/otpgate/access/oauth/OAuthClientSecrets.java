package dev.otpgate.access.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Client secrets: {@code otpgcs_} + 43 base64url characters (256 random bits from {@link SecureRandom}, S-01,
 * S-03), a prefix that secret scanners can recognise. Only a SHA-256 of a secret is stored; the secret is random,
 * so no slow hash is needed, and hashes are compared in constant time (S-13).
 */
final class OAuthClientSecrets {

    static final String PREFIX = "otpgcs_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private OAuthClientSecrets() {}

    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean matches(String presented, byte[] storedHash) {
        return storedHash != null && MessageDigest.isEqual(hash(presented), storedHash);
    }

    /** What may be shown of a secret after creation: its prefix and last four characters. */
    static String hint(String secret) {
        return PREFIX + "…" + secret.substring(secret.length() - 4);
    }
}
