package dev.otpgate.delivery.smpp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.SMPPServerSession;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.mock.env.MockEnvironment;

/** The providers bean binds on start, reports the bind in a gauge and unbinds on stop. */
class SmppLifecycleTests {

    @Test
    void bindsOnStartShowsItInTheGaugeAndUnbindsOnStop() throws Exception {
        try (TestSmsc smsc = new TestSmsc()) {
            MockEnvironment environment = new MockEnvironment()
                    .withProperty("otpgate.providers.smsc1.type", "smpp")
                    .withProperty("otpgate.providers.smsc1.host", "127.0.0.1")
                    .withProperty("otpgate.providers.smsc1.port", Integer.toString(smsc.port()))
                    .withProperty("otpgate.providers.smsc1.system-id", smsc.systemId)
                    .withProperty("otpgate.providers.smsc1.password", smsc.password);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            StaticListableBeanFactory beans = new StaticListableBeanFactory(Map.of("meters", registry));
            SmppProviders providers = new SmppProviders(environment, receipt -> { },
                    beans.getBeanProvider(MeterRegistry.class), beans.getBeanProvider(SslBundles.class));
            assertThat(providers.providers()).hasSize(1);
            assertThat(gauge(registry)).isZero();

            providers.start();
            await(() -> gauge(registry) == 1.0 && !smsc.sessions.isEmpty());
            SMPPServerSession atSmsc = smsc.session();
            assertThat(atSmsc.getSessionState().isBound()).isTrue();

            providers.stop();
            assertThat(gauge(registry)).isZero();
            await(() -> !atSmsc.getSessionState().isBound());
            assertThat(smsc.states).as("an unbind, not just a closed socket").contains(SessionState.UNBOUND);
            assertThat(providers.isRunning()).isFalse();
        }
    }

    static double gauge(SimpleMeterRegistry registry) {
        return registry.get("otpgate.smpp.bound").tag("provider", "smsc1").gauge().value();
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("within 5 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
