package dev.otpgate.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two server instances sharing one PostgreSQL database, as in a cluster: pumping that no single node sees
 * enough of is detected from the shared counts and blocked on both nodes (S-35), and the daily budget counts the
 * starts of both.
 */
class TwoNodeFraudTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;
    static ApiClient nodeA;
    static ApiClient nodeB;
    static TestApps fixtures;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        PostgresTestDatabase.requireReachable();
        String url = PostgresTestDatabase.create();
        Path dataDir = Files.createTempDirectory("otpgate-fraud-cluster-");
        first = node(url, dataDir, "node-a");
        second = node(url, dataDir, "node-b");
        nodeA = client(first, dataDir);
        nodeB = client(second, dataDir);
        fixtures = new TestApps(nodeA, ADMIN_KEY);
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
                "--db-scheduler.polling-interval=1s", "--otpgate.fraud.min-starts=6",
                "--otpgate.fraud.evaluate-interval=1h", "--otpgate.fraud.prices.US.sms=0.04");
    }

    static ApiClient client(ConfigurableApplicationContext node, Path dataDir) {
        return new ApiClient("https://localhost:" + node.getEnvironment().getProperty("local.server.port"),
                dataDir.resolve("tls/ca.pem"));
    }

    private static int start(ApiClient node, TestApp app, String to) {
        return node.post("/v1/verifications", app.key(), Map.of("to", to)).status();
    }

    @Test
    void s35PumpingSplitOverTwoNodesIsBlockedOnBoth() {
        TestApp app = fixtures.app(Map.of("defences", Map.of("fraud_mode", "block")));
        // Four starts per node, non-adjacent numbers of one range: neither node alone reaches min-starts (6).
        for (int i = 0; i < 8; i++) {
            assertThat(start(i % 2 == 0 ? nodeA : nodeB, app, String.format("+1206555%04d", 100 + i * 3))).isEqualTo(201);
        }
        second.getBean(FraudLedger.class).flush();
        first.getBean(FraudJobs.class).evaluate();
        second.getBean(FraudJobs.class).refresh();

        ApiClient.Response onB = nodeB.post("/v1/verifications", app.key(), Map.of("to", "+12065550150"));
        assertThat(onB.status()).as(onB.body()).isEqualTo(403);
        assertThat(onB.text("type")).endsWith("/fraud-blocked");
        assertThat(start(nodeA, app, "+12065550160")).isEqualTo(403);
        ApiClient.Response blocks = nodeB.get("/v1/fraud/blocks", app.key());
        assertThat(blocks.json().get("blocks")).hasSize(1);
        assertThat(blocks.json().get("blocks").get(0).get("starts").asInt()).isEqualTo(8);
    }

    @Test
    void dailyBudgetCountsTheStartsOfEveryNode() {
        TestApp app = fixtures.app(Map.of("defences", Map.of("daily_budget", 0.1)));
        assertThat(start(nodeA, app, "+13125550100")).isEqualTo(201);
        assertThat(start(nodeB, app, "+13125550110")).isEqualTo(201);
        first.getBean(FraudLedger.class).flush();
        second.getBean(FraudLedger.class).flush();
        first.getBean(FraudJobs.class).refresh();
        second.getBean(FraudJobs.class).refresh();
        // 0.08 spent across the nodes; one more US SMS (0.04) would pass 0.10 on either node.
        assertThat(start(nodeA, app, "+13125550120")).isEqualTo(429);
        assertThat(start(nodeB, app, "+13125550130")).isEqualTo(429);
    }
}
