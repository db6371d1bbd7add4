package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.DeliverySettings;
import java.security.SecureRandom;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Uniform decimal codes from {@link SecureRandom} (S-01); 6 digits are 19.9 bits, so apps may go to 10 (S-02). */
@Component
class CodeGenerator {

    private final SecureRandom random = new SecureRandom();

    /**
     * The app's test destination with this blind index, if any: the app keeps its test destinations as blind
     * indexes only, so every spelling and alias of one matches; {@code destinationIndexes} are the destination's
     * indexes under every index key in play, so that one saved before an index-key rotation matches too.
     */
    static Optional<DeliverySettings.TestDestination> testDestination(App app, java.util.List<byte[]> destinationIndexes) {
        java.util.List<String> indexes = destinationIndexes.stream().map(java.util.Base64.getEncoder()::encodeToString).toList();
        return app.delivery().testDestinations().stream().filter(test -> indexes.contains(test.index())).findFirst();
    }

    String generate(int digits) {
        char[] code = new char[digits];
        for (int i = 0; i < digits; i++) {
            // nextInt(10) rejects out-of-range draws internally, so every digit is uniform.
            code[i] = (char) ('0' + random.nextInt(10));
        }
        return new String(code);
    }
}
