package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import io.micrometer.core.instrument.MeterRegistry;
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
    void whenRedisCannotBeReachedAFailOpenAppStartsAndEveryAppsChecksKeepTheirAttemptCap_S12_S32() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path dataDir = Files.createTempDirectory("otpgate-rl-open-");
        try (ConfigurableApplicationContext node = new SpringApplicationBuilder(OtpgateApplication.class).run(embedded(dataDir,
                "--otpgate.rate-limit.store=redis", "--otpgate.rate-limit.redis-url=redis://127.0.0.1:" + closedPort))) {
            ApiClient api = new ApiClient("https://localhost:" + node.getEnvironment().getProperty("local.server.port"),
                    dataDir.resolve("tls/ca.pem"));
            TestApps fixtures = new TestApps(api, ADMIN_KEY);
            TestApp open = fixtures.app(Map.of("max_attempts", 2, "defences", Map.of("rate_limit_fail_open", true)));
            TestApp closed = fixtures.app();
            String to = TestApps.newPhone();

            assertThat(api.post("/v1/verifications", closed.key(), Map.of("to", to)).status()).isEqualTo(503);
            ApiClient.Response started = api.post("/v1/verifications", open.key(), Map.of("to", to));
            assertThat(started.status()).as(started.body()).isEqualTo(201);
            String id = started.text("id");
            MeterRegistry meters = node.getBean(MeterRegistry.class);
            assertThat(meters.counter("otpgate.ratelimit.fail-open", "operation", "start").count()).isEqualTo(1);

            // Checks fail open onto the per-verification cap: it still ends the verification.
            String code = fixtures.codeFor(to);
            String wrong = code.equals("000000") ? "111111" : "000000";
            ApiClient.Response first = api.post("/v1/verifications/" + id + "/check", open.key(), Map.of("code", wrong));
            assertThat(first.status()).as(first.body()).isEqualTo(422);
            assertThat(api.post("/v1/verifications/" + id + "/check", open.key(), Map.of("code", wrong)).status())
                    .isEqualTo(422);
            ApiClient.Response afterCap = api.post("/v1/verifications/" + id + "/check", open.key(), Map.of("code", code));
            assertThat(afterCap.status()).as(afterCap.body()).isIn(410, 429);
            assertThat(meters.counter("otpgate.ratelimit.fail-open", "operation", "check").count()).isGreaterThanOrEqualTo(2);

            String second = api.post("/v1/verifications", open.key(), Map.of("to", TestApps.newPhone())).text("id");
            assertThat(second).isNotNull();
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
