package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.DeliverySettings;
import dev.otpgate.privacy.Destination;
import java.security.SecureRandom;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Uniform decimal codes from {@link SecureRandom} (S-01); 6 digits are 19.9 bits, so apps may go to 10 (S-02). */
@Component
class CodeGenerator {

    private final SecureRandom random = new SecureRandom();

    /** The code for a step: the app's fixed code for one of its test destinations, else a new one of its length. */
    String codeFor(App app, Destination destination) {
        return testDestination(app, destination).map(DeliverySettings.TestDestination::code)
                .orElseGet(() -> generate(app.codeLength()));
    }

    /** The app's test destination matching this one; both are normalised (the app's when it was saved). */
    static Optional<DeliverySettings.TestDestination> testDestination(App app, Destination destination) {
        return app.delivery().testDestinations().stream().filter(test -> test.to().equals(destination.value())).findFirst();
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
