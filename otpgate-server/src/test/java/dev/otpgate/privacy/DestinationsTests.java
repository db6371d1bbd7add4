package dev.otpgate.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.KeyRing;
import dev.otpgate.platform.OtpgateProperties;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DestinationsTests {

    @TempDir
    Path dataDir;

    Destinations destinations;

    @BeforeEach
    void keys() {
        OtpgateProperties properties = new OtpgateProperties(OtpgateProperties.Mode.EMBEDDED, dataDir,
                new OtpgateProperties.DevInbox(true, 1000, java.time.Duration.ofHours(1)), new OtpgateProperties.Limits(16384),
                new OtpgateProperties.Tls(false), null, null, null, null);
        destinations = new Destinations(new KeyRing(properties));
    }

    @ParameterizedTest
    @ValueSource(strings = {"+14155550123", "+1 415 555 0123", "+1 (415) 555-0123", "+1.415.555.0123", " +1-415-555-0123 "})
    void parseWhenOneNumberIsSpelledDifferentlyThenOneDestinationAndOneIndex_S33(String spelling) {
        Destination destination = destinations.parse(spelling);
        assertThat(destination.value()).isEqualTo("+14155550123");
        assertThat(destination.regionCode()).isEqualTo("US");
        assertThat(destinations.index(destination)).isEqualTo(destinations.index(destinations.parse("+14155550123")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"4155550123", "+1 555", "+999 123456789", "+1 415 555 01234567", "hello", "+44 7700 900123",
            "a@b", "a@@example.com", "a..b@example.com", "<a@example.com>"})
    void parseWhenNotAValidPhoneOrEmailThen400NamingToWithoutEchoingIt_S05(String raw) {
        assertThatThrownBy(() -> destinations.parse(raw))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                    assertThat(problem.status().value()).isEqualTo(400);
                    assertThat(problem.getMessage()).startsWith("to: ").doesNotContain(raw.strip());
                });
    }

    @Test
    void parseWhenEmailThenLowerCasedAndMasked_S43() {
        Destination email = destinations.parse("Jane.Doe@Example.COM");
        assertThat(email.value()).isEqualTo("jane.doe@example.com");
        assertThat(email.masked()).isEqualTo("j•••@e•••.com");
        assertThat(email.toString()).doesNotContain("jane");
    }

    @Test
    void maskWhenPhoneThenCountryCodeFirstGroupOfLongNumbersAndLastTwoDigitsOnly_S43() {
        assertThat(destinations.parse("+14155550123").masked()).isEqualTo("+1 415 ••• ••23");
        assertThat(destinations.parse("+4915112345678").masked()).isEqualTo("+49 1511 •••••78");
        assertThat(destinations.parse("+33612345678").masked()).isEqualTo("+33 6 •• •• •• 78");
        assertThat(destinations.parse("+14155550123").toString()).doesNotContain("5550123");
    }

    @Test
    void sealWhenOpenedWithTheSameAppThenTheSameDestinationAndNoOtherAppCanOpenIt_S43() {
        Destination destination = destinations.parse("+14155550123");
        SealedDestination sealed = destinations.seal(destination, "app_one");
        assertThat(new String(sealed.ciphertext(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("4155550123");
        assertThat(destinations.open(sealed.ciphertext(), "app_one")).isEqualTo(destination);
        assertThatThrownBy(() -> destinations.open(sealed.ciphertext(), "app_two")).isInstanceOf(IllegalStateException.class);
        assertThat(destinations.seal(destination, "app_one").ciphertext()).isNotEqualTo(sealed.ciphertext());
    }
}
