package dev.otpgate.delivery.twilio;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.ProviderSource;
import dev.otpgate.platform.OtpgateProperties;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** The {@code otpgate.providers.<id>} entries of {@code type: twilio}, each a {@link TwilioProvider}. */
@Component
class TwilioProviders implements ProviderSource {

    static final String TYPE = "twilio";
    private static final Set<String> CHANNELS = Set.of("sms", "voice");

    private final List<Provider> providers;

    TwilioProviders(Environment environment, OtpgateProperties properties, Clock clock) {
        this(environment, properties, clock, null);
    }

    @Autowired
    TwilioProviders(Environment environment, OtpgateProperties properties, Clock clock, SslBundles bundles) {
        Map<String, TwilioProperties> entries = Binder.get(environment)
                .bind("otpgate.providers", Bindable.mapOf(String.class, TwilioProperties.class))
                .orElse(Map.of());
        List<Provider> channels = new ArrayList<>();
        entries.forEach((id, settings) -> {
            if (TYPE.equals(settings.type())) {
                channels.add(new TwilioProvider(id, validated(id, settings), properties.publicUrl(),
                        properties.production(), clock, bundles));
            }
        });
        this.providers = List.copyOf(channels);
    }

    @Override
    public List<Provider> providers() {
        return providers;
    }

    private static TwilioProperties validated(String id, TwilioProperties settings) {
        String prefix = "otpgate.providers." + id + ".";
        require(settings.accountSid(), prefix + "account-sid");
        require(settings.authToken(), prefix + "auth-token");
        List<String> channels = settings.channels() == null || settings.channels().isEmpty()
                ? List.of("sms") : settings.channels();
        for (String channel : channels) {
            if (!CHANNELS.contains(channel)) {
                throw new IllegalStateException(prefix + "channels: a twilio provider serves sms and voice, not " + channel);
            }
        }
        if (channels.contains("sms") && blank(settings.from()) && blank(settings.messagingServiceSid())) {
            throw new IllegalStateException(prefix + "from or " + prefix + "messaging-service-sid is required for sms");
        }
        if (channels.contains("voice") && blank(settings.from())) {
            throw new IllegalStateException(prefix + "from is required for voice");
        }
        return new TwilioProperties(settings.type(), List.copyOf(channels), settings.priority(), settings.baseUrl(),
                settings.accountSid(), settings.authToken(), settings.from(), settings.messagingServiceSid(),
                settings.insecureHttp(), settings.connectTimeout(), settings.readTimeout(), settings.voice(),
                settings.sslBundle());
    }

    private static void require(String value, String property) {
        if (blank(value)) {
            throw new IllegalStateException(property + " is required for a twilio provider");
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
