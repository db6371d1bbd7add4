package dev.otpgate.privacy;

import dev.otpgate.platform.KeyRing;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/**
 * The end user's IP address and user agent as stored: one AEAD ciphertext under the data key, bound to the
 * verification it belongs to, so that a row copied to another verification does not open (S-43).
 */
@Component
public class EndUsers {

    /** What the app said about its end user; either part may be {@code null}. */
    public record EndUser(String ip, String userAgent) {

        public boolean isEmpty() {
            return ip == null && userAgent == null;
        }

        @Override
        public String toString() {
            return "EndUser[•••]";
        }
    }

    private static final char SEPARATOR = '\u0000';

    private final KeyRing keys;

    EndUsers(KeyRing keys) {
        this.keys = keys;
    }

    /** {@code null} when there is nothing to keep. */
    public byte[] seal(String verificationId, String ip, String userAgent) {
        if (ip == null && userAgent == null) {
            return null;
        }
        String plaintext = (ip == null ? "" : ip) + SEPARATOR + (userAgent == null ? "" : userAgent);
        return keys.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), context(verificationId));
    }

    public EndUser open(String verificationId, byte[] ciphertext) {
        if (ciphertext == null) {
            return new EndUser(null, null);
        }
        String plaintext = new String(keys.decrypt(ciphertext, context(verificationId)), StandardCharsets.UTF_8);
        int separator = plaintext.indexOf(SEPARATOR);
        String ip = plaintext.substring(0, separator);
        String agent = plaintext.substring(separator + 1);
        return new EndUser(ip.isEmpty() ? null : ip, agent.isEmpty() ? null : agent);
    }

    private static String context(String verificationId) {
        return "end-user:" + verificationId;
    }
}
