package dev.otpgate.delivery.http;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.ProviderSource;
import dev.otpgate.platform.OtpgateProperties;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** The providers configured with {@code otpgate.providers.<id>.type: http}. */
@Component
class HttpProviders implements ProviderSource {

    private final List<Provider> providers;

    @Autowired
    HttpProviders(Environment environment, OtpgateProperties properties, Clock clock, SslBundles bundles) {
        this(Binder.get(environment), properties.production(), clock, bundles);
    }

    HttpProviders(Binder binder, boolean production, Clock clock) {
        this(binder, production, clock, null);
    }

    /** @param bundles the SSL bundles {@code ssl-bundle} names; {@code null}: none defined */
    HttpProviders(Binder binder, boolean production, Clock clock, SslBundles bundles) {
        List<Provider> list = new ArrayList<>();
        for (String id : ProviderSource.idsOfType(binder, "http")) {
            HttpProperties settings = binder.bind("otpgate.providers." + id, HttpProperties.class).get();
            list.add(new HttpGatewayProvider(id, settings, production, clock, bundles));
        }
        this.providers = List.copyOf(list);
    }

    @Override
    public List<Provider> providers() {
        return providers;
    }

}
