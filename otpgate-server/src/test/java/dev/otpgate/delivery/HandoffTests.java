package dev.otpgate.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The committing node's own dispatcher on a two-node cluster (one PostgreSQL database), against a real HTTP
 * gateway: a local send slower than the grace and than db-scheduler's dead-execution threshold is not sent again
 * by the other node; a node whose dispatcher is full leaves the message to the pollers, which send it once; a first try that failed locally is retried by db-scheduler after its backoff. Each node has one
 * dispatcher thread and no queue, a grace of 1 s and a dead-execution threshold of 4 s (heartbeats every 1 s).
 */
class HandoffTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();
    static final Duration GRACE = Duration.ofSeconds(1);
    /** Longer than the dead-execution threshold (4 s), shorter than the gateway client's read timeout (10 s). */
    static final int SLOW_MILLIS = 7_000;
    static final WireMockServer GATEWAY = new WireMockServer(options().dynamicPort().http2PlainDisabled(true));
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;
    static ApiClient nodeA;
    static TestApp app;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        PostgresTestDatabase.requireReachable();
        GATEWAY.start();
        GATEWAY.stubFor(post(urlEqualTo("/sms")).atPriority(10).willReturn(aResponse().withStatus(202)));
        String url = PostgresTestDatabase.create();
        Path dataDir = Files.createTempDirectory("otpgate-handoff-");
        first = node(url, dataDir, "node-a");
        second = node(url, dataDir, "node-b");
        nodeA = new ApiClient("https://localhost:" + first.getEnvironment().getProperty("local.server.port"),
                dataDir.resolve("tls/ca.pem"));
        app = new TestApps(nodeA, ADMIN_KEY).app(Map.of("name", "Handoff"));
    }

    @AfterAll
    static void stop() {
        for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] {first, second}) {
            if (node != null) {
                node.close();
            }
        }
        GATEWAY.stop();
    }

    static ConfigurableApplicationContext node(String url, Path dataDir, String name) {
        return new SpringApplicationBuilder(OtpgateApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--otpgate.data-dir=" + dataDir,
                "--spring.datasource.url=" + url, "--spring.datasource.username=" + PostgresTestDatabase.USER,
                "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD,
                "--otpgate.bootstrap-admin-key=" + ADMIN_KEY, "--db-scheduler.scheduler-name=" + name,
                "--db-scheduler.polling-interval=1s", "--db-scheduler.heartbeat-interval=1s",
                "--db-scheduler.missed-heartbeats-limit=4",
                "--otpgate.delivery.handoff-grace=" + GRACE.toMillis() + "ms", "--otpgate.delivery.handoff-threads=1",
                "--otpgate.delivery.handoff-queue=0", "--otpgate.delivery.retry-backoff=1s",
                "--otpgate.providers.gw.type=http", "--otpgate.providers.gw.insecure-http=true",
                "--otpgate.providers.gw.url=" + GATEWAY.baseUrl() + "/sms",
                "--otpgate.providers.gw.body={\"to\":\"{to}\",\"text\":\"{text}\"}");
    }

    @Test
    void sendWhenTheLocalRunOutlastsTheDeadExecutionThresholdThenTheOtherNodeDoesNotSendItAgain() throws Exception {
        String to = TestApps.newPhone();
        slow(to);
        String id = start(to);
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsTo(to).size() == 1);
        // The local run holds the row for 7 s; without its heartbeats, a node takes it for dead after 4 s and sends.
        await().atMost(Duration.ofSeconds(20)).until(() -> "sent".equals(deliveryStatus(id)));
        Thread.sleep(3_000); // a second send would be in flight by now
        assertThat(requestsTo(to)).hasSize(1);
    }

    @Test
    void startWhenTheDispatcherIsFullThenAPollerSendsItOnce() throws Exception {
        String busy = TestApps.newPhone();
        slow(busy);
        String busyId = start(busy);
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsTo(busy).size() == 1);
        String to = TestApps.newPhone();
        String id = start(to);
        // node-a's only dispatcher thread is in the slow call: the message is released to the pollers.
        await().atMost(Duration.ofSeconds(5)).until(() -> requestsTo(to).size() == 1);
        assertThat(requestsTo(busy)).as("the slow call still holds node-a's dispatcher").hasSize(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> "sent".equals(deliveryStatus(id)));
        await().atMost(Duration.ofSeconds(20)).until(() -> "sent".equals(deliveryStatus(busyId)));
        Thread.sleep(2_000);
        assertThat(requestsTo(to)).hasSize(1);
        assertThat(requestsTo(busy)).hasSize(1);
    }

    @Test
    void sendWhenTheLocalFirstTryFailsThenTheSchedulerRetriesItAfterTheBackoff() throws Exception {
        String to = TestApps.newPhone();
        GATEWAY.stubFor(post(urlEqualTo("/sms")).atPriority(1).withRequestBody(containing(digits(to)))
                .inScenario(to).whenScenarioStateIs(STARTED).willSetStateTo("recovered")
                .willReturn(aResponse().withStatus(503)));
        String id = start(to);
        await().atMost(Duration.ofSeconds(20)).until(() -> "sent".equals(deliveryStatus(id)));
        List<LoggedRequest> requests = requestsTo(to);
        assertThat(requests).hasSize(2);
        assertThat(Duration.between(requests.get(0).getLoggedDate().toInstant(), requests.get(1).getLoggedDate().toInstant()))
                .as("the retry waits for db-scheduler's backoff").isGreaterThanOrEqualTo(Duration.ofMillis(900));
        Thread.sleep(2_000);
        assertThat(requestsTo(to)).hasSize(2);
    }

    private static void slow(String to) {
        GATEWAY.stubFor(post(urlEqualTo("/sms")).atPriority(1).withRequestBody(containing(digits(to)))
                .willReturn(aResponse().withStatus(202).withFixedDelay(SLOW_MILLIS)));
    }

    private static String start(String to) {
        ApiClient.Response started = nodeA.post("/v1/verifications", app.key(), Map.of("to", to));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        return started.text("id");
    }

    private static String deliveryStatus(String id) {
        return nodeA.get("/v1/verifications/" + id, app.key()).json().get("delivery").get("status").asString();
    }

    private static List<LoggedRequest> requestsTo(String to) {
        return GATEWAY.findAll(postRequestedFor(urlEqualTo("/sms")).withRequestBody(containing(digits(to))));
    }

    private static String digits(String to) {
        return to.substring(1);
    }
}
