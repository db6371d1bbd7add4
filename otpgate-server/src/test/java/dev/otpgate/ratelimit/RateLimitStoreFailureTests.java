package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A limit that cannot be counted is not skipped: starts fail closed, and a store that cannot work is refused. */
class RateLimitStoreFailureTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();

    static String[] embedded(Path dataDir, String... more) {
        String h2 = "jdbc:h2:mem:otpgate_" + UUID.randomUUID().toString().replace("-", "")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
        String[] base = {"--server.port=0", "--management.server.port=0", "--otpgate.data-dir=" + dataDir,
                "--spring.datasource.url=" + h2, "--otpgate.bootstrap-admin-key=" + ADMIN_KEY};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void whenRedisCannotBeReachedStartsAreRefusedWith503RateLimitUnavailable_S32() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path dataDir = Files.createTempDirectory("otpgate-rl-down-");
        try (ConfigurableApplicationContext node = new SpringApplicationBuilder(OtpgateApplication.class).run(embedded(dataDir,
                "--otpgate.rate-limit.store=redis", "--otpgate.rate-limit.redis-url=redis://127.0.0.1:" + closedPort))) {
            ApiClient api = new ApiClient("https://localhost:" + node.getEnvironment().getProperty("local.server.port"),
                    dataDir.resolve("tls/ca.pem"));
            TestApp app = new TestApps(api, ADMIN_KEY).app();
            String to = TestApps.newPhone();
            ApiClient.Response refused = api.post("/v1/verifications", app.key(), Map.of("to", to));
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.text("type")).isEqualTo("https://otpgate.dev/problems/rate-limit-unavailable");
            assertThat(refused.header("Retry-After")).isNotNull();
            assertThat(refused.body()).doesNotContain(to.substring(1)).doesNotContain("Redis").doesNotContain("lettuce");
            assertThat(new TestApps(api, ADMIN_KEY).messagesTo(to)).isEmpty();
        }
    }

    @Test
    void theDatabaseStoreOnTheEmbeddedH2DatabaseIsRefusedAtStartWithAClearMessage() throws Exception {
        Path dataDir = Files.createTempDirectory("otpgate-rl-h2-");
        assertThatThrownBy(() -> new SpringApplicationBuilder(OtpgateApplication.class)
                .run(embedded(dataDir, "--otpgate.rate-limit.store=database")).close())
                .rootCause()
                .hasMessageContaining("otpgate.rate-limit.store=database needs PostgreSQL");
    }
}
