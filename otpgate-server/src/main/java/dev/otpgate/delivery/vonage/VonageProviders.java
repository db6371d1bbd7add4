package dev.otpgate.delivery.vonage;

import dev.otpgate.delivery.Channel;
import dev.otpgate.delivery.ChannelProviders;
import dev.otpgate.platform.OtpgateProperties;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
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
        for (String id : ChannelProviders.idsOfType(binder, "vonage")) {
            VonageSettings settings = binder.bind("otpgate.providers." + id, VonageSettings.class).get();
            list.add(new VonageSmsChannel(id, settings, publicUrl, production, clock));
        }
        this.providers = List.copyOf(list);
    }

    @Override
    public List<Channel> providers() {
        return providers;
    }

}
