package dev.otpgate.simswap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.apps.AppDirectory;
import dev.otpgate.delivery.SendGate;
import dev.otpgate.platform.OtpgateProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** How {@code otpgate.sim-swap.*} binds, and which configurations refuse to start. */
class SimSwapConfigurationTests {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({SimSwapProperties.class, OtpgateProperties.class})
    static class Properties {}

    final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(org.springframework.boot.autoconfigure.AutoConfigurations.of(
                    org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration.class))
            .withUserConfiguration(Properties.class, SimSwapConfiguration.class)
            .withBean(AppDirectory.class, () -> new AppDirectory() {
                @Override
                public Optional<dev.otpgate.apps.App> find(String appId) {
                    return Optional.empty();
                }

                @Override
                public java.util.List<dev.otpgate.apps.App> all() {
                    return java.util.List.of();
                }
            })
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withBean(Clock.class, Clock::systemUTC);

    @Test
    void startWhenNothingIsConfiguredThenGateExistsWithoutApi() {
        context.run(started -> {
            assertThat(started).hasNotFailed().hasSingleBean(SendGate.class);
            assertThat(started.getBean(SimSwapProperties.class).configured()).isFalse();
            assertThat(started.getBean(SimSwapProperties.class).readTimeout()).isEqualTo(Duration.ofSeconds(3));
        });
    }

    @Test
    void startWhenApiIsConfiguredThenEveryKeyBinds() {
        context.withPropertyValues("otpgate.sim-swap.base-url=https://camara.example.com/v1",
                        "otpgate.sim-swap.token-url=https://auth.example.com/oauth2/token",
                        "otpgate.sim-swap.client-id=otpgate", "otpgate.sim-swap.client-secret=bound-secret-Hx7",
                        "otpgate.sim-swap.scope=sim-swap:check", "otpgate.sim-swap.connect-timeout=2s",
                        "otpgate.sim-swap.read-timeout=1500ms")
                .run(started -> {
                    assertThat(started).hasNotFailed().hasSingleBean(SendGate.class);
                    SimSwapProperties properties = started.getBean(SimSwapProperties.class);
                    assertThat(properties.configured()).isTrue();
                    assertThat(properties.scope()).isEqualTo("sim-swap:check");
                    assertThat(properties.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(properties.readTimeout()).isEqualTo(Duration.ofMillis(1500));
                    assertThat(properties.toString()).contains("(hidden)").doesNotContain("bound-secret-Hx7");
                });
    }

    @Test
    void startWhenInsecureHttpInProductionModeThenRefused() {
        context.withPropertyValues("otpgate.mode=production", "otpgate.sim-swap.base-url=http://127.0.0.1:9/camara",
                        "otpgate.sim-swap.token-url=http://127.0.0.1:9/token", "otpgate.sim-swap.client-id=otpgate",
                        "otpgate.sim-swap.client-secret=secret", "otpgate.sim-swap.insecure-http=true")
                .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
                        .hasMessage("otpgate.sim-swap.insecure-http is not allowed in production mode"));
    }

    @Test
    void startWhenTokenUrlIsMissingThenRefusedNamingIt() {
        context.withPropertyValues("otpgate.sim-swap.base-url=https://camara.example.com",
                        "otpgate.sim-swap.client-id=otpgate", "otpgate.sim-swap.client-secret=secret")
                .run(started -> assertThat(started).hasFailed().getFailure().rootCause()
                        .hasMessage("otpgate.sim-swap.token-url must be an absolute https URL"));
    }
}
