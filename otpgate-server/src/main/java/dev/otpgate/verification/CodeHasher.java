package dev.otpgate.verification;

import dev.otpgate.platform.KeyRing;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;

/**
 * The stored form of a code: HMAC-SHA256 under the code key over the verification id, the step, the code and
 * the transaction payload (S-11, S-40). The key is outside the database, so a dump alone neither reveals nor
 * brute-forces codes; the id and step bind a code to one verification and one send (S-04).
 */
@Component
class CodeHasher {

    private final KeyRing keys;

    CodeHasher(KeyRing keys) {
        this.keys = keys;
    }

    byte[] hash(String verificationId, int step, String code, String transactionJson) {
        return keys.codeTag(input(verificationId, step, code, transactionJson));
    }

    /** Constant-time comparison (S-13). */
    boolean matches(byte[] stored, String verificationId, int step, String code, String transactionJson) {
        return keys.codeTagMatches(stored, input(verificationId, step, code, transactionJson));
    }

    /**
     * A test destination's code: its verification holds the app's tag of the fixed code instead of a hash bound
     * to the verification, because the fixed code is known only as that tag.
     */
    boolean matchesTestCode(byte[] stored, String appId, String code) {
        return keys.codeTagMatches(stored, dev.otpgate.apps.DeliverySettings.TestDestination.codeInput(appId, code));
    }

    private static byte[] input(String verificationId, int step, String code, String transactionJson) {
        // Length-prefixed fields, so that no two different tuples encode alike.
        StringBuilder out = new StringBuilder("otpgate-code-v1");
        for (String field : new String[] {verificationId, Integer.toString(step), code, transactionJson == null ? "" : transactionJson}) {
            out.append('|').append(field.length()).append(':').append(field);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
