package dev.otpgate.delivery.smpp;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.delivery.provider.ProviderSource;
import dev.otpgate.delivery.provider.ReceiptSink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The SMPP providers: one {@link SmppProvider} per {@code otpgate.providers.<id>} whose {@code type} is
 * {@code smpp}. They bind when the context starts and unbind when it stops; {@code otpgate.smpp.bound}
 * (tagged {@code provider}) is 1 while a provider is bound.
 */
@Component
class SmppProviders implements ProviderSource, SmartLifecycle {

    static final String PREFIX = "otpgate.providers";

    private final List<SmppProvider> channels;
    private volatile boolean running;

    SmppProviders(Environment environment, ReceiptSink receipts, ObjectProvider<MeterRegistry> meters,
            ObjectProvider<SslBundles> bundles) {
        this.channels = create(Binder.get(environment), receipts, bundles.getIfAvailable());
        MeterRegistry registry = meters.getIfAvailable();
        if (registry != null) {
            for (SmppProvider channel : channels) {
                Gauge.builder("otpgate.smpp.bound", channel, c -> c.bound() ? 1 : 0)
                        .tag("provider", channel.id())
                        .description("1 while the SMPP provider is bound")
                        .register(registry);
            }
        }
    }

    /** @param bundles the application's SSL bundles, for {@code ssl-bundle}; {@code null}: none defined */
    static List<SmppProvider> create(Binder binder, ReceiptSink receipts, SslBundles bundles) {
        Map<String, Typed> entries = binder.bind(PREFIX, Bindable.mapOf(String.class, Typed.class)).orElse(Map.of());
        List<SmppProvider> created = new ArrayList<>();
        entries.forEach((id, entry) -> {
            if ("smpp".equals(entry.type())) {
                String prefix = PREFIX + "." + id;
                SmppProperties properties = binder.bind(prefix, SmppProperties.class)
                        .orElseThrow(() -> new IllegalStateException("SMPP provider: " + prefix + " is empty"))
                        .validate(prefix);
                SSLContext trust = ProviderHttp.sslContext(bundles, prefix + ".ssl-bundle", properties.sslBundle());
                created.add(new SmppProvider(id, properties, trust, receipts));
            }
        });
        return List.copyOf(created);
    }

    /** Only the common {@code type} key, to pick this adapter's entries. */
    record Typed(String type) {
    }

    @Override
    public List<Provider> providers() {
        return List.copyOf(channels);
    }

    @Override
    public void start() {
        channels.forEach(SmppProvider::start);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        channels.forEach(SmppProvider::close);
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
