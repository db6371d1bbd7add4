package dev.otpgate.platform;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PlatformConfiguration {

    /** Every module takes time from this clock, so tests can move it (S-09). */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
