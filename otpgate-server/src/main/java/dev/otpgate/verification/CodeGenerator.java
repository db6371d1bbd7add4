package dev.otpgate.verification;

import java.security.SecureRandom;
import org.springframework.stereotype.Component;

/** Uniform decimal codes from {@link SecureRandom} (S-01); 6 digits are 19.9 bits, so apps may go to 10 (S-02). */
@Component
class CodeGenerator {

    private final SecureRandom random = new SecureRandom();

    String generate(int digits) {
        char[] code = new char[digits];
        for (int i = 0; i < digits; i++) {
            // nextInt(10) rejects out-of-range draws internally, so every digit is uniform.
            code[i] = (char) ('0' + random.nextInt(10));
        }
        return new String(code);
    }
}
