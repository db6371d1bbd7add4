package dev.otpgate.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The daily budget counts resends on every node of a cluster sharing one PostgreSQL database. A node compares a
 * send's price with the spend it last read from the database plus its own since, so a budget is overshot by at
 * most what the other nodes accept within one refresh interval. Nodes A and B reload the shared spend only
 * every hour, node C every second; every node writes its spend every half second. A US SMS costs 0.04.
 */
class TwoNodeSendBudgetTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();
    static final List<ConfigurableApplicationContext> NODES = new ArrayList<>();
    static ApiClient nodeA;
    static ApiClient nodeB;
    static ApiClient nodeC;
    static TestApps fixtures;
    static JdbcClient jdbc;

    @BeforeAll
    static void startNodes() throws Exception {
        PostgresTestDatabase.requireReachable();
        String url = PostgresTestDatabase.create();
        Path dataDir = Files.createTempDirectory("otpgate-budget-cluster-");
        nodeA = client(node(url, dataDir, "node-a", "1h"), dataDir);
        nodeB = client(node(url, dataDir, "node-b", "1h"), dataDir);
        nodeC = client(node(url, dataDir, "node-c", "1s"), dataDir);
        fixtures = new TestApps(nodeA, ADMIN_KEY);
        jdbc = NODES.getFirst().getBean(JdbcClient.class);
    }

    @AfterAll
    static void stopNodes() {
        NODES.forEach(ConfigurableApplicationContext::close);
    }

    static ConfigurableApplicationContext node(String url, Path dataDir, String name, String refreshInterval) {
        ConfigurableApplicationContext node = new SpringApplicationBuilder(OtpgateApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--otpgate.data-dir=" + dataDir,
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + PostgresTestDatabase.USER,
                "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD,
                "--otpgate.bootstrap-admin-key=" + ADMIN_KEY, "--db-scheduler.scheduler-name=" + name,
                "--db-scheduler.polling-interval=1s", "--otpgate.fraud.evaluate-interval=1h",
                "--otpgate.fraud.flush-interval=500ms", "--otpgate.fraud.refresh-interval=" + refreshInterval,
                "--otpgate.fraud.prices.US.sms=0.04");
        NODES.add(node);
        return node;
    }

    static ApiClient client(ConfigurableApplicationContext node, Path dataDir) {
        return new ApiClient("https://localhost:" + node.getEnvironment().getProperty("local.server.port"),
                dataDir.resolve("tls/ca.pem"));
    }

    /** A budget of 0.10 (two US SMS), resends without cooldown, ten sends per verification, no pumping detector. */
    private static TestApp budgetApp() {
        return fixtures.app(Map.of("allowed_channels", List.of("sms", "whatsapp"), "resend_cooldown_seconds", 0,
                "max_sends", 10, "defences", Map.of("daily_budget", 0.1, "fraud_mode", "off", "rate_limits",
                        Map.of("starts-per-destination", Map.of("capacity", 100, "period_seconds", 600)))));
    }

    private static String started(ApiClient node, TestApp app, String to, String channel) {
        Response started = node.post("/v1/verifications", app.key(), Map.of("to", to, "channel", channel));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        return started.text("id");
    }

    private static Response resend(ApiClient node, TestApp app, String id, Map<String, Object> body) {
        return node.post("/v1/verifications/" + id + "/resend", app.key(), body);
    }

    private static void assertBudgetExhausted(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(429);
        assertThat(response.text("type")).isEqualTo("https://otpgate.dev/problems/budget-exhausted");
    }

    private static int smsTo(String to) {
        return jdbc.sql("select count(*) from dev_messages where recipient = ? and channel = 'sms'")
                .param(to).query(Integer.class).single();
    }

    /** Waits until {@code expected} SMS reached {@code to}, and no more arrive. */
    private static void assertSmsSent(String to, int expected) {
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(20)).until(() -> smsTo(to) == expected);
    }

    @Test
    void budgetWhenNeitherNodeSeesTheOthersSpendThenEachAdmitsAtMostTheBudgetByResends() {
        TestApp app = budgetApp();
        String to = TestApps.newPhone();
        String id = started(nodeA, app, to, "whatsapp");

        Map<String, List<Integer>> answers = new LinkedHashMap<>(Map.of("A", new ArrayList<>(), "B", new ArrayList<>()));
        for (int round = 0; round < 3; round++) {
            for (String name : List.of("A", "B")) {
                Response resend = resend(name.equals("A") ? nodeA : nodeB, app, id, Map.of("channel", "sms"));
                assertThat(resend.status()).as(name + ": " + resend.body()).isIn(202, 429);
                if (resend.status() == 429) {
                    assertBudgetExhausted(resend);
                }
                answers.get(name).add(resend.status());
            }
        }

        for (String name : List.of("A", "B")) {
            List<Integer> statuses = answers.get(name);
            assertThat(statuses.stream().filter(status -> status == 202).count())
                    .as("SMS node " + name + " accepted, " + statuses).isLessThanOrEqualTo(2);
            assertThat(statuses.getLast()).as("node " + name + " at last, " + answers).isEqualTo(429);
        }
        int accepted = (int) answers.values().stream().flatMap(List::stream).filter(status -> status == 202).count();
        assertThat(accepted).as("SMS accepted by both nodes, " + answers).isBetween(2, 4);
        assertSmsSent(to, accepted);
    }

    @Test
    void budgetWhenOneNodeSpentItByResendsThenAnotherRefusesAfterItsRefreshInterval() throws InterruptedException {
        TestApp app = budgetApp();
        String to = TestApps.newPhone();
        String id = started(nodeA, app, to, "whatsapp");
        for (int i = 0; i < 2; i++) {
            Response resend = resend(nodeA, app, id, Map.of("channel", "sms"));
            assertThat(resend.status()).as(resend.body()).isEqualTo(202);
        }

        // Node A writes its spend within 0.5 s, node C reads it within 1 s.
        Thread.sleep(3_000);
        assertBudgetExhausted(nodeC.post("/v1/verifications", app.key(), Map.of("to", TestApps.newPhone(), "channel", "sms")));
        String other = TestApps.newPhone();
        String onC = started(nodeC, app, other, "whatsapp");
        assertBudgetExhausted(resend(nodeC, app, onC, Map.of("channel", "sms")));
        assertBudgetExhausted(resend(nodeC, app, id, Map.of()));
        assertBudgetExhausted(resend(nodeA, app, id, Map.of()));

        assertSmsSent(to, 2);
        assertSmsSent(other, 0);
    }
}
