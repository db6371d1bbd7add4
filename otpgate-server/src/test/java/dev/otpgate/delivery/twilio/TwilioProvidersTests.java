package dev.otpgate.delivery.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.platform.OtpgateProperties;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** Binding {@code otpgate.providers.*}: only {@code type: twilio} entries, and a clear failure for a missing key. */
class TwilioProvidersTests {

    static final OtpgateProperties PROPERTIES = new OtpgateProperties(OtpgateProperties.Mode.EMBEDDED, Path.of("."),
            new OtpgateProperties.DevInbox(true, 10, java.time.Duration.ofHours(1)), new OtpgateProperties.Limits(16384),
            new OtpgateProperties.Tls(false), null, null, null, null);

    static MockEnvironment twilio(String id) {
        return new MockEnvironment()
                .withProperty("otpgate.providers." + id + ".type", "twilio")
                .withProperty("otpgate.providers." + id + ".channels", "sms,voice")
                .withProperty("otpgate.providers." + id + ".priority", "7")
                .withProperty("otpgate.providers." + id + ".account-sid", "AC0123456789abcdef0123456789abcdef")
                .withProperty("otpgate.providers." + id + ".auth-token", "token")
                .withProperty("otpgate.providers." + id + ".from", "+14155550100");
    }

    @Test
    void onlyTwilioEntriesBecomeTwilioProviders() {
        MockEnvironment environment = twilio("tw")
                .withProperty("otpgate.providers.other.type", "whatsapp-cloud")
                .withProperty("otpgate.providers.other.phone-number-id", "1");
        var providers = new TwilioProviders(environment, PROPERTIES, Clock.systemUTC()).providers();
        assertThat(providers).extracting(Provider::id).containsExactly("tw");
        Provider channel = providers.getFirst();
        assertThat(channel.serves("sms")).isTrue();
        assertThat(channel.serves("voice")).isTrue();
        assertThat(channel.serves("whatsapp")).isFalse();
        assertThat(channel.priority()).isEqualTo(7);
        assertThat(channel.toString()).doesNotContain("token");
    }

    @Test
    void aMissingKeyStopsStartupNamingTheProperty() {
        MockEnvironment noToken = twilio("tw").withProperty("otpgate.providers.tw.auth-token", "");
        assertThatThrownBy(() -> new TwilioProviders(noToken, PROPERTIES, Clock.systemUTC()))
                .hasMessageContaining("otpgate.providers.tw.auth-token is required");
        MockEnvironment noFrom = twilio("tw").withProperty("otpgate.providers.tw.from", "");
        assertThatThrownBy(() -> new TwilioProviders(noFrom, PROPERTIES, Clock.systemUTC()))
                .hasMessageContaining("otpgate.providers.tw.from");
        MockEnvironment email = twilio("tw").withProperty("otpgate.providers.tw.channels", "email");
        assertThatThrownBy(() -> new TwilioProviders(email, PROPERTIES, Clock.systemUTC()))
                .hasMessageContaining("otpgate.providers.tw.channels");
    }

    @Test
    void aPlainHttpBaseUrlIsRefusedAtStartup_S08() {
        MockEnvironment http = twilio("tw").withProperty("otpgate.providers.tw.base-url", "http://api.twilio.com");
        assertThatThrownBy(() -> new TwilioProviders(http, PROPERTIES, Clock.systemUTC()))
                .hasMessageContaining("otpgate.providers.tw.base-url must use https");
    }
}
