package dev.otpgate.delivery.vonage;

import dev.otpgate.delivery.Channel;
import dev.otpgate.delivery.ChannelProviders;
import dev.otpgate.platform.OtpgateProperties;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** The providers configured with {@code otpgate.providers.<id>.type: vonage}. */
@Component
class VonageProviders implements ChannelProviders {

    private final List<Channel> providers;

    @Autowired
    VonageProviders(Environment environment, OtpgateProperties properties, Clock clock) {
        this(Binder.get(environment), properties.publicUrl(), properties.production(), clock);
    }

    VonageProviders(Binder binder, URI publicUrl, boolean production, Clock clock) {
        List<Channel> list = new ArrayList<>();
        for (String id : providerIds(binder)) {
            VonageSettings settings = binder.bind("otpgate.providers." + id, VonageSettings.class).get();
            list.add(new VonageSmsChannel(id, settings, publicUrl, production, clock));
        }
        this.providers = List.copyOf(list);
    }

    private static List<String> providerIds(Binder binder) {
        Map<String, ProviderType> types = binder
                .bind("otpgate.providers", Bindable.mapOf(String.class, ProviderType.class))
                .orElse(Map.of());
        return types.entrySet().stream()
                .filter(e -> "vonage".equals(e.getValue().type()))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    @Override
    public List<Channel> providers() {
        return providers;
    }

    record ProviderType(String type) {}
}
