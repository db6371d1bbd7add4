package dev.otpgate.events;

import static dev.otpgate.events.WebhookReceiver.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two nodes on one PostgreSQL database, both dispatching: every event is delivered, and each exactly once in the
 * normal path (no crash, no timeout), because a delivery is claimed by one node's lease.
 */
class TwoNodeWebhookTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();
    static WebhookReceiver receiver;
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;
    static ApiClient nodeA;
    static ApiClient nodeB;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        PostgresTestDatabase.requireReachable();
        receiver = new WebhookReceiver(InetAddress.getByName("127.0.0.1"));
        String url = PostgresTestDatabase.create();
        Path dataDir = Files.createTempDirectory("otpgate-hooks-cluster-");
        first = node(url, dataDir, "node-a");
        second = node(url, dataDir, "node-b");
        nodeA = client(first, dataDir);
        nodeB = client(second, dataDir);
    }

    @AfterAll
    static void stopNodes() {
        for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] {first, second}) {
            if (node != null) {
                node.close();
            }
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    static ConfigurableApplicationContext node(String url, Path dataDir, String name) {
        return new SpringApplicationBuilder(OtpgateApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--otpgate.data-dir=" + dataDir,
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + PostgresTestDatabase.USER,
                "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD,
                "--otpgate.bootstrap-admin-key=" + ADMIN_KEY, "--db-scheduler.scheduler-name=" + name,
                "--db-scheduler.polling-interval=1s",
                "--otpgate.webhooks.allowed-private-networks=127.0.0.0/8,::1/128",
                "--otpgate.webhooks.ssl-bundle=hooks",
                "--spring.ssl.bundle.pem.hooks.truststore.certificate=file:" + receiver.caPem(),
                "--otpgate.webhooks.poll-interval=100ms", "--otpgate.webhooks.subscription-cache-ttl=1s");
    }

    static ApiClient client(ConfigurableApplicationContext node, Path dataDir) {
        return new ApiClient("https://localhost:" + node.getEnvironment().getProperty("local.server.port"),
                dataDir.resolve("tls/ca.pem"));
    }

    @Test
    void dispatchWhenBothNodesPollTheSameOutboxThenEachEventIsDeliveredOnce() throws Exception {
        TestApps fixtures = new TestApps(nodeA, ADMIN_KEY);
        TestApp app = fixtures.app(Map.of("name", "Cluster hooks"));
        String path = "/cluster";
        ApiClient.Response created = nodeA.post("/v1/apps/" + app.id() + "/webhooks", ADMIN_KEY,
                Map.of("url", "https://localhost:" + receiver.port() + path, "events", List.of("verification.started")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Thread.sleep(1500); // node B's subscription cache (1 s) sees the endpoint
        Set<String> started = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            started.add((i % 2 == 0 ? nodeA : nodeB).post("/v1/verifications", app.key(), Map.of("to", TestApps.newPhone()))
                    .text("id"));
        }
        waitUntil(() -> receiver.at(path).size() >= 40, Duration.ofSeconds(30), "40 events");
        Thread.sleep(2000); // a second delivery would arrive now
        List<WebhookReceiver.Received> received = receiver.at(path);
        assertThat(received).hasSize(40);
        assertThat(received.stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet())).hasSize(40);
        Set<String> delivered = received.stream()
                .map(r -> WebhookApiContract.JSON.readTree(r.body()).get("data").get("verification_id").asString())
                .collect(Collectors.toSet());
        assertThat(delivered).isEqualTo(started);
    }
}
