package dev.otpgate.delivery.vonage;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.ProviderSource;
import dev.otpgate.platform.OtpgateProperties;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** The providers configured with {@code otpgate.providers.<id>.type: vonage}. */
@Component
class VonageProviders implements ProviderSource {

    private final List<Provider> providers;

    @Autowired
    VonageProviders(Environment environment, OtpgateProperties properties, Clock clock, SslBundles bundles) {
        this(Binder.get(environment), properties.publicUrl(), properties.production(), clock, bundles);
    }

    VonageProviders(Binder binder, URI publicUrl, boolean production, Clock clock) {
        this(binder, publicUrl, production, clock, null);
    }

    /** @param bundles the SSL bundles {@code ssl-bundle} names; {@code null}: none defined */
    VonageProviders(Binder binder, URI publicUrl, boolean production, Clock clock, SslBundles bundles) {
        List<Provider> list = new ArrayList<>();
        for (String id : ProviderSource.idsOfType(binder, "vonage")) {
            VonageProperties settings = binder.bind("otpgate.providers." + id, VonageProperties.class).get();
            list.add(new VonageSmsProvider(id, settings, publicUrl, production, clock, bundles));
        }
        this.providers = List.copyOf(list);
    }

    @Override
    public List<Provider> providers() {
        return providers;
    }

}
