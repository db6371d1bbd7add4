package dev.otpgate.events;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** The scripted resolver in place of the system's, for the webhook suites. */
@TestConfiguration(proxyBeanMethods = false)
class WebhookTestConfiguration {

    @Bean
    @Primary
    ScriptedResolver scriptedResolver() {
        return new ScriptedResolver();
    }
}
