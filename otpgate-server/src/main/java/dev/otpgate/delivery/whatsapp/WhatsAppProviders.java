package dev.otpgate.delivery.whatsapp;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.ProviderSource;
import dev.otpgate.platform.OtpgateProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** The {@code otpgate.providers.<id>} entries of {@code type: whatsapp-cloud}, each a {@link WhatsAppProvider}. */
@Component
class WhatsAppProviders implements ProviderSource {

    static final String TYPE = "whatsapp-cloud";

    private final List<Provider> providers;

    WhatsAppProviders(Environment environment, OtpgateProperties properties, SslBundles bundles) {
        Map<String, WhatsAppProperties> entries = Binder.get(environment)
                .bind("otpgate.providers", Bindable.mapOf(String.class, WhatsAppProperties.class))
                .orElse(Map.of());
        List<Provider> channels = new ArrayList<>();
        entries.forEach((id, settings) -> {
            if (TYPE.equals(settings.type())) {
                validate(id, settings);
                channels.add(new WhatsAppProvider(id, settings, properties.production(), bundles));
            }
        });
        this.providers = List.copyOf(channels);
    }

    @Override
    public List<Provider> providers() {
        return providers;
    }

    private static void validate(String id, WhatsAppProperties settings) {
        String prefix = "otpgate.providers." + id + ".";
        require(settings.phoneNumberId(), prefix + "phone-number-id");
        require(settings.accessToken(), prefix + "access-token");
        require(settings.templateName(), prefix + "template-name");
        if (!settings.phoneNumberId().matches("\\d{1,32}")) {
            throw new IllegalStateException(prefix + "phone-number-id must be the numeric id Meta shows for the number");
        }
        if (!settings.apiVersion().matches("v\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalStateException(prefix + "api-version must look like v21.0");
        }
        if (settings.channels() != null && settings.channels().stream().anyMatch(channel -> !"whatsapp".equals(channel))) {
            throw new IllegalStateException(prefix + "channels: a whatsapp-cloud provider serves whatsapp only");
        }
    }

    private static void require(String value, String property) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(property + " is required for a whatsapp-cloud provider");
        }
    }
}
