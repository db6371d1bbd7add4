package dev.otpgate.delivery.smpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Which entries of {@code otpgate.providers} become SMPP providers, with which settings. */
class SmppProvidersTests {

    static Binder binder(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties));
    }

    @Test
    void onlySmppEntriesBecomeProvidersWithDefaults() {
        List<SmppProvider> channels = SmppProviders.create(binder(Map.of(
                "otpgate.providers.smsc1.type", "smpp",
                "otpgate.providers.smsc1.host", "127.0.0.1",
                "otpgate.providers.smsc1.port", "2775",
                "otpgate.providers.smsc1.system-id", "otpgate",
                "otpgate.providers.smsc1.password", "pw",
                "otpgate.providers.smsc1.priority", "5",
                "otpgate.providers.twilio.type", "twilio",
                "otpgate.providers.twilio.account-sid", "AC1")), receipt -> { });

        assertThat(channels).singleElement().satisfies(channel -> {
            assertThat(channel.id()).isEqualTo("smsc1");
            assertThat(channel.priority()).isEqualTo(5);
            assertThat(channel.serves("sms")).isTrue();
            assertThat(channel.serves("voice")).isFalse();
            assertThat(channel.bound()).isFalse();
        });
        SmppProperties defaults = Binder.get(new org.springframework.mock.env.MockEnvironment()
                        .withProperty("p.host", "h").withProperty("p.port", "1"))
                .bind("p", SmppProperties.class).get();
        assertThat(defaults.window()).isEqualTo(10);
        assertThat(defaults.maxSubmitsPerSecond()).isEqualTo(100);
        assertThat(defaults.enquireLinkInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.channels()).containsExactly("sms");
        assertThat(new SmppProperties("smpp", "h", 1, "id", "pw-ok1", "", null, 1, 1, Duration.ZERO,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, List.of(), false, null, false).toString())
                .doesNotContain("pw-ok1");
    }

    @Test
    void aMissingRequiredPropertyFailsStartupNamingIt() {
        assertThatThrownBy(() -> SmppProviders.create(binder(Map.of(
                "otpgate.providers.smsc1.type", "smpp",
                "otpgate.providers.smsc1.port", "2775",
                "otpgate.providers.smsc1.system-id", "otpgate",
                "otpgate.providers.smsc1.password", "pw")), receipt -> { }))
                .hasMessageContaining("otpgate.providers.smsc1.host");
        assertThatThrownBy(() -> SmppProviders.create(binder(Map.of(
                "otpgate.providers.smsc1.type", "smpp",
                "otpgate.providers.smsc1.host", "127.0.0.1",
                "otpgate.providers.smsc1.port", "2775",
                "otpgate.providers.smsc1.system-id", "otpgate")), receipt -> { }))
                .hasMessageContaining("otpgate.providers.smsc1.password");
        assertThatThrownBy(() -> SmppProviders.create(binder(Map.of(
                "otpgate.providers.smsc1.type", "smpp",
                "otpgate.providers.smsc1.host", "127.0.0.1",
                "otpgate.providers.smsc1.port", "2775",
                "otpgate.providers.smsc1.system-id", "otpgate",
                "otpgate.providers.smsc1.password", "much-too-long")), receipt -> { }))
                .hasMessageContaining("otpgate.providers.smsc1.password (at most 8 characters)")
                .hasMessageNotContaining("much-too-long");
    }

    static Map<String, String> smsc1(String... more) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "otpgate.providers.smsc1.type", "smpp",
                "otpgate.providers.smsc1.host", "smsc.example.com",
                "otpgate.providers.smsc1.port", "3550",
                "otpgate.providers.smsc1.system-id", "otpgate",
                "otpgate.providers.smsc1.password", "pw"));
        for (int i = 0; i < more.length; i += 2) {
            properties.put("otpgate.providers.smsc1." + more[i], more[i + 1]);
        }
        return properties;
    }

    @Test
    void tlsSettingsBindFromTheirDocumentedNames(@TempDir Path dir) {
        Path ca = TestCertificates.Authority.create("smsc test CA").writePem(dir);

        SmppProperties properties = binder(smsc1("tls", "true", "tls-ca", ca.toString(), "private-link", "true"))
                .bind("otpgate.providers.smsc1", SmppProperties.class).get();
        assertThat(properties.tls()).isTrue();
        assertThat(properties.tlsCa()).isEqualTo(ca.toString());
        assertThat(properties.privateLink()).isTrue();
        assertThat(SmppProviders.create(binder(smsc1("tls", "true", "tls-ca", ca.toString())), receipt -> { }))
                .hasSize(1);
        SmppProperties plain = binder(smsc1()).bind("otpgate.providers.smsc1", SmppProperties.class).get();
        assertThat(plain.tls()).isFalse();
        assertThat(plain.privateLink()).isFalse();
    }

    @Test
    void aTlsCaWithoutTlsOrThatIsNoCertificateFailsStartupNamingTheSetting_S08(
            @TempDir Path dir) throws Exception {
        Path ca = TestCertificates.Authority.create("smsc test CA").writePem(dir);
        assertThatThrownBy(() -> SmppProviders.create(binder(smsc1("tls-ca", ca.toString())), receipt -> { }))
                .hasMessageContaining("otpgate.providers.smsc1.tls-ca is set but otpgate.providers.smsc1.tls is not true");

        Path notPem = Files.writeString(dir.resolve("not.pem"), "not a certificate");
        assertThatThrownBy(() -> SmppProviders.create(binder(smsc1("tls", "true", "tls-ca", notPem.toString())),
                receipt -> { }))
                .hasMessageContaining("otpgate.providers.smsc1.tls-ca");
        assertThatThrownBy(() -> SmppProviders.create(binder(smsc1("tls", "true", "tls-ca",
                dir.resolve("absent.pem").toString())), receipt -> { }))
                .hasMessageContaining("otpgate.providers.smsc1.tls-ca cannot be read");
    }
}
