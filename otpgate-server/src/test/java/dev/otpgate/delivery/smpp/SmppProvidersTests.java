package dev.otpgate.delivery.smpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;

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
                "otpgate.providers.twilio.account-sid", "AC1")), receipt -> { }, null);

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
                "otpgate.providers.smsc1.password", "pw")), receipt -> { }, null))
                .hasMessageContaining("otpgate.providers.smsc1.host");
        assertThatThrownBy(() -> SmppProviders.create(binder(Map.of(
                "otpgate.providers.smsc1.type", "smpp",
                "otpgate.providers.smsc1.host", "127.0.0.1",
                "otpgate.providers.smsc1.port", "2775",
                "otpgate.providers.smsc1.system-id", "otpgate")), receipt -> { }, null))
                .hasMessageContaining("otpgate.providers.smsc1.password");
        assertThatThrownBy(() -> SmppProviders.create(binder(Map.of(
                "otpgate.providers.smsc1.type", "smpp",
                "otpgate.providers.smsc1.host", "127.0.0.1",
                "otpgate.providers.smsc1.port", "2775",
                "otpgate.providers.smsc1.system-id", "otpgate",
                "otpgate.providers.smsc1.password", "much-too-long")), receipt -> { }, null))
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
    void tlsSettingsBindFromTheirDocumentedNamesAndTheSslBundleIsTheOneNamed() {
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry();
        bundles.registerBundle("smsc", TestCertificates.Authority.create("smsc test CA").trustBundle());

        SmppProperties properties = binder(smsc1("tls", "true", "ssl-bundle", "smsc", "private-link", "true"))
                .bind("otpgate.providers.smsc1", SmppProperties.class).get();
        assertThat(properties.tls()).isTrue();
        assertThat(properties.sslBundle()).isEqualTo("smsc");
        assertThat(properties.privateLink()).isTrue();
        assertThat(SmppProviders.create(binder(smsc1("tls", "true", "ssl-bundle", "smsc")), receipt -> { }, bundles))
                .hasSize(1);
        SmppProperties plain = binder(smsc1()).bind("otpgate.providers.smsc1", SmppProperties.class).get();
        assertThat(plain.tls()).isFalse();
        assertThat(plain.privateLink()).isFalse();
    }

    @Test
    void anSslBundleWithoutTlsOrThatIsNotDefinedFailsStartupNamingTheSetting_S08() {
        DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry();
        bundles.registerBundle("smsc", TestCertificates.Authority.create("smsc test CA").trustBundle());
        assertThatThrownBy(() -> SmppProviders.create(binder(smsc1("ssl-bundle", "smsc")), receipt -> { }, bundles))
                .hasMessageContaining(
                        "otpgate.providers.smsc1.ssl-bundle is set but otpgate.providers.smsc1.tls is not true");

        assertThatThrownBy(() -> SmppProviders.create(binder(smsc1("tls", "true", "ssl-bundle", "other")),
                receipt -> { }, bundles))
                .hasMessageContaining("otpgate.providers.smsc1.ssl-bundle names the SSL bundle other, which is not "
                        + "defined under spring.ssl.bundle");
        assertThatThrownBy(() -> SmppProviders.create(binder(smsc1("tls", "true", "ssl-bundle", "smsc")),
                receipt -> { }, null))
                .hasMessageContaining("otpgate.providers.smsc1.ssl-bundle names the SSL bundle smsc");
    }
}
