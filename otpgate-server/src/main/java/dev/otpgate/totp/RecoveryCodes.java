package dev.otpgate.totp;

import dev.otpgate.platform.KeyRing;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Recovery codes: 16 base32 characters (80 random bits, S-41), shown as four groups of four. Stored only as
 * the code key's HMAC over the factor id and the normalised code; each is single use.
 */
@Component
class RecoveryCodes {

    static final int COUNT = 10;
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private final SecureRandom random = new SecureRandom();
    private final KeyRing keys;

    RecoveryCodes(KeyRing keys) {
        this.keys = keys;
    }

    List<String> generate() {
        List<String> codes = new ArrayList<>();
        for (int n = 0; n < COUNT; n++) {
            StringBuilder code = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                if (i > 0 && i % 4 == 0) {
                    code.append('-');
                }
                code.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            codes.add(code.toString());
        }
        return codes;
    }

    /** The stored form; separators and case do not matter, so a code typed as printed always matches. */
    byte[] hash(String factorId, String code) {
        String normalised = code.replace("-", "").replace(" ", "").toLowerCase(Locale.ROOT);
        return keys.codeTag(("otpgate-recovery-v1|" + factorId + "|" + normalised).getBytes(StandardCharsets.UTF_8));
    }

    static boolean plausible(String code) {
        return code != null && code.length() <= 32 && code.replace("-", "").replace(" ", "").length() == 16;
    }
}
