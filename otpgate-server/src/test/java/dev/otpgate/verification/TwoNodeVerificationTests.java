package dev.otpgate.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.Concurrently;
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
 * Two server instances sharing one PostgreSQL database and one key directory, as in a cluster: the single-use
 * and attempt guarantees hold whichever node a request reaches (S-10, S-12), and each code is sent once.
 */
class TwoNodeVerificationTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;
    static ApiClient nodeA;
    static ApiClient nodeB;
    static TestApp app;
    static TestApps fixtures;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        PostgresTestDatabase.requireReachable();
        String url = PostgresTestDatabase.create();
        Path dataDir = Files.createTempDirectory("otpgate-cluster-");
        first = node(url, dataDir, "node-a");
        second = node(url, dataDir, "node-b");
        nodeA = client(first, dataDir);
        nodeB = client(second, dataDir);
        fixtures = new TestApps(nodeA, ADMIN_KEY);
        app = fixtures.app(Map.of("name", "Cluster"));
    }

    @AfterAll
    static void stopNodes() {
        for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] {first, second}) {
            if (node != null) {
                node.close();
            }
        }
    }

    static ConfigurableApplicationContext node(String url, Path dataDir, String name) {
        return new SpringApplicationBuilder(OtpgateApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--otpgate.data-dir=" + dataDir,
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + PostgresTestDatabase.USER,
                "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD,
                "--otpgate.bootstrap-admin-key=" + ADMIN_KEY, "--db-scheduler.scheduler-name=" + name,
                "--db-scheduler.polling-interval=1s");
    }

    static ApiClient client(ConfigurableApplicationContext node, Path dataDir) {
        return new ApiClient("https://localhost:" + node.getEnvironment().getProperty("local.server.port"),
                dataDir.resolve("tls/ca.pem"));
    }

    @Test
    void checkWhen50ParallelRightCodesAreSplitOverTwoNodesThenExactlyOneApproves_S10() throws Exception {
        String to = TestApps.newPhone();
        String id = nodeA.post("/v1/verifications", app.key(), Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        List<Integer> statuses = Concurrently.run(50, i -> (i % 2 == 0 ? nodeA : nodeB)
                .post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code)).status());
        assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        assertThat(statuses).filteredOn(status -> status != 200).allMatch(status -> status == 410);
    }

    @Test
    void checkWhen50ParallelWrongCodesAreSplitOverTwoNodesThenAtMostMaxAttemptsCount_S12() throws Exception {
        String to = TestApps.newPhone();
        String id = nodeB.post("/v1/verifications", app.key(), Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        String wrong = code.equals("000000") ? "111111" : "000000";
        List<Integer> statuses = Concurrently.run(50, i -> (i % 2 == 0 ? nodeA : nodeB)
                .post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", wrong)).status());
        assertThat(statuses).filteredOn(status -> status == 422).hasSizeLessThanOrEqualTo(5);
        assertThat(statuses).filteredOn(status -> status != 422).allMatch(status -> status == 429);
        assertThat(nodeA.get("/v1/verifications/" + id, app.key()).text("status")).isEqualTo("failed");
        assertThat(nodeB.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code)).status()).isEqualTo(429);
    }

    @Test
    void startWhenBothNodesRunDeliveryWorkersThenEachCodeIsSentOnce() throws Exception {
        List<String> destinations = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String to = TestApps.newPhone();
            destinations.add(to);
            (i % 2 == 0 ? nodeA : nodeB).post("/v1/verifications", app.key(), Map.of("to", to));
        }
        for (String to : destinations) {
            fixtures.codeFor(to);
        }
        Thread.sleep(2000);
        for (String to : destinations) {
            assertThat(fixtures.messagesTo(to)).hasSize(1);
        }
    }
}
