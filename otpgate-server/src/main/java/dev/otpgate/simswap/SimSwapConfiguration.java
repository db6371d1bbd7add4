package dev.otpgate.simswap;

import dev.otpgate.apps.AppDirectory;
import dev.otpgate.delivery.SendGate;
import dev.otpgate.platform.OtpgateProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds the SIM-swap {@link SendGate}. The OAuth 2.0 client objects stay inside it, not in the context, so
 * Spring Security's OAuth 2.0 client support changes none of the security filter chains.
 */
@Configuration(proxyBeanMethods = false)
class SimSwapConfiguration {

    @Bean
    SendGate simSwapGate(SimSwapProperties properties, OtpgateProperties otpgate, AppDirectory apps,
            ApplicationEventPublisher events, MeterRegistry meters, Clock clock, SslBundles bundles) {
        CamaraSimSwapClient client = properties.configured()
                ? new CamaraSimSwapClient(properties, otpgate.production(), clock, bundles) : null;
        return new SimSwapGate(apps, client, events, meters, clock);
    }
}
