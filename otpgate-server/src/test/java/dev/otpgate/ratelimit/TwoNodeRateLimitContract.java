package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two server instances sharing one PostgreSQL database, one key directory and one bucket store, as in a cluster:
 * spreading starts over the nodes does not get past a limit (S-33). Subclasses choose the store.
 */
abstract class TwoNodeRateLimitContract {

    static final String ADMIN_KEY = ApiKeySecrets.generate();
    static final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    static ApiClient nodeA;
    static ApiClient nodeB;
    static TestApps fixtures;

    /** Starts the two nodes with {@code storeArguments} (the {@code otpgate.rate-limit.*} settings under test). */
    static void startTwoNodes(String... storeArguments) throws Exception {
        PostgresTestDatabase.requireReachable();
        String url = PostgresTestDatabase.create();
        Path dataDir = Files.createTempDirectory("otpgate-rl-cluster-");
        nodeA = client(node(url, dataDir, "node-a", storeArguments), dataDir);
        nodeB = client(node(url, dataDir, "node-b", storeArguments), dataDir);
        fixtures = new TestApps(nodeA, ADMIN_KEY);
    }

    @AfterAll
    static void stopNodes() {
        nodes.forEach(ConfigurableApplicationContext::close);
        nodes.clear();
    }

    static ConfigurableApplicationContext node(String url, Path dataDir, String name, String... storeArguments) {
        List<String> arguments = new ArrayList<>(List.of(
                "--server.port=0", "--management.server.port=0", "--otpgate.data-dir=" + dataDir,
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + PostgresTestDatabase.USER,
                "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD,
                "--otpgate.bootstrap-admin-key=" + ADMIN_KEY, "--db-scheduler.scheduler-name=" + name,
                "--db-scheduler.polling-interval=1s"));
        arguments.addAll(List.of(storeArguments));
        ConfigurableApplicationContext node = new SpringApplicationBuilder(OtpgateApplication.class)
                .run(arguments.toArray(String[]::new));
        nodes.add(node);
        return node;
    }

    static ApiClient client(ConfigurableApplicationContext node, Path dataDir) {
        return new ApiClient("https://localhost:" + node.getEnvironment().getProperty("local.server.port"),
                dataDir.resolve("tls/ca.pem"));
    }

    @Test
    void theSixthStartToOneDestinationIsRefusedWhicheverNodeItReaches_S33() {
        for (ApiClient sixth : new ApiClient[] {nodeA, nodeB}) {
            TestApp app = fixtures.app(Map.of("name", "Cluster"));
            String to = TestApps.newPhone();
            for (int i = 0; i < 5; i++) {
                ApiClient.Response started = (i % 2 == 0 ? nodeA : nodeB).post("/v1/verifications", app.key(), Map.of("to", to));
                assertThat(started.status()).as(started.body()).isEqualTo(201);
            }
            RateLimitAssertions.assertRefusedPerDestination(sixth.post("/v1/verifications", app.key(), Map.of("to", to)));
            assertThat(sixth.post("/v1/verifications", app.key(), Map.of("to", TestApps.newPhone())).status()).isEqualTo(201);
        }
    }

    @Test
    void consecutiveFailedChecksLockADestinationOutWhicheverNodeTheyReachAndAnApprovalOnEitherResetsThem_S12_S33() {
        TestApp app = fixtures.app(Map.of("name", "Cluster", "max_attempts", 10, "defences", Map.of("rate_limits",
                Map.of("checks-per-destination", Map.of("capacity", 4, "period_seconds", 86_400)))));
        String to = TestApps.newPhone();
        String id = fixtures.start(app, to);
        String code = fixtures.codeFor(to);
        String wrong = code.equals("000000") ? "111111" : "000000";
        ApiClient[] nodes = {nodeA, nodeB};
        for (int i = 0; i < 3; i++) {
            assertThat(nodes[i % 2].post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", wrong)).status())
                    .isEqualTo(422);
        }
        // Three failures, then an approval on the other node: the count starts again everywhere.
        ApiClient.Response approved = nodeB.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);

        String next = nodeA.post("/v1/verifications", app.key(), Map.of("to", to)).text("id");
        for (int i = 0; i < 4; i++) {
            assertThat(nodes[i % 2].post("/v1/verifications/" + next + "/check", app.key(), Map.of("code", wrong)).status())
                    .isEqualTo(422);
        }
        for (ApiClient node : nodes) {
            ApiClient.Response locked = node.post("/v1/verifications/" + next + "/check", app.key(), Map.of("code", wrong));
            assertThat(locked.status()).as(locked.body()).isEqualTo(429);
            assertThat(locked.text("type")).isEqualTo("https://otpgate.dev/problems/destination-locked");
            assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 900L);
        }
    }
}
