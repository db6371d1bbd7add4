package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class DatabaseDefaultsTests {

    private static StandardEnvironment environment(Map<String, Object> settings) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", settings));
        EmbeddedDefaultsPostProcessor.addDatabaseDefaults(env);
        return env;
    }

    @Test
    void onTheEmbeddedH2TheNodesOwnDispatcherIsOffByDefault() {
        assertThat(environment(Map.of("spring.datasource.url", "jdbc:h2:file:./data/db/otpgate"))
                .getProperty("otpgate.delivery.handoff-threads")).isEqualTo("0");
    }

    @Test
    void onTheEmbeddedH2AnOperatorsSettingWins() {
        assertThat(environment(Map.of("spring.datasource.url", "jdbc:h2:file:./data/db/otpgate",
                "otpgate.delivery.handoff-threads", "4")).getProperty("otpgate.delivery.handoff-threads")).isEqualTo("4");
    }

    @Test
    void onPostgresqlNothingIsSetSoTheDispatcherKeepsItsDefault() {
        assertThat(environment(Map.of("spring.datasource.url", "jdbc:postgresql://127.0.0.1:5432/otpgate"))
                .containsProperty("otpgate.delivery.handoff-threads")).isFalse();
    }
}
