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
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two server instances sharing one PostgreSQL database and one key directory, as in a cluster: the single-use
 * and attempt guarantees hold whichever node a request reaches (S-10, S-12), and each code is sent once. The node
 * that started a verification or gave it its last code holds a copy of it for checks ({@link CheckCache}); what
 * the other node does to the row (a resend, guesses, a cancel) is not in that copy, and must win over it.
 */
class TwoNodeVerificationTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();
    static ConfigurableApplicationContext first;
    static ConfigurableApplicationContext second;
    static ApiClient nodeA;
    static ApiClient nodeB;
    static TestApp app;
    static TestApp quick;
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
        quick = fixtures.app(Map.of("name", "Cluster without cooldown", "resend_cooldown_seconds", 0));
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

    static int checkStatus(ApiClient node, TestApp on, String id, String code) {
        return node.post("/v1/verifications/" + id + "/check", on.key(), Map.of("code", code)).status();
    }

    static double cacheCount(ConfigurableApplicationContext node, String result) {
        return node.getBean(MeterRegistry.class).counter("otpgate.verification.check.cache", "result", result).count();
    }

    static String wrong(String code) {
        return code.equals("000000") ? "111111" : "000000";
    }

    @Test
    void checkWhenTheOtherNodeResentThenTheOldCodeIsRefusedOnTheNodeHoldingTheOldCopyAndTheNewOneApproves_S04() {
        String to = TestApps.newPhone();
        String id = nodeA.post("/v1/verifications", quick.key(), Map.of("to", to)).text("id");
        String oldCode = fixtures.codeFor(to, 1);
        assertThat(nodeB.post("/v1/verifications/" + id + "/resend", quick.key(), null).status()).isEqualTo(202);
        String newCode = fixtures.codeFor(to, 2);
        double stale = cacheCount(first, "stale");

        if (!newCode.equals(oldCode)) {
            ApiClient.Response old = nodeA.post("/v1/verifications/" + id + "/check", quick.key(), Map.of("code", oldCode));
            assertThat(old.status()).as(old.body()).isEqualTo(422);
            assertThat(old.json().get("attempts_remaining").asInt()).isEqualTo(4);
            assertThat(cacheCount(first, "stale")).as("node A's copy of step 1 was found stale").isEqualTo(stale + 1);
        }
        ApiClient.Response approved = nodeA.post("/v1/verifications/" + id + "/check", quick.key(), Map.of("code", newCode));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
        assertThat(checkStatus(nodeB, quick, id, newCode)).isEqualTo(410);
    }

    @Test
    void checkWhenTheOtherNodeCountedMaxMinusOneWrongGuessesThenTheRightCodeStillApprovesOnTheCopyingNode_S12() {
        String to = TestApps.newPhone();
        String id = nodeA.post("/v1/verifications", app.key(), Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        for (int remaining = 4; remaining >= 1; remaining--) {
            ApiClient.Response guess = nodeB.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", wrong(code)));
            assertThat(guess.json().get("attempts_remaining").asInt()).isEqualTo(remaining);
        }
        double hits = cacheCount(first, "hit");
        ApiClient.Response approved = nodeA.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(cacheCount(first, "hit")).as("approved from node A's copy in one statement").isEqualTo(hits + 1);
    }

    @Test
    void checkWhenTheOtherNodeCountedMaxMinusOneWrongGuessesThenTheLastWrongOneFailsItAndNothingApprovesAfter_S12() {
        String to = TestApps.newPhone();
        String id = nodeA.post("/v1/verifications", app.key(), Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        for (int i = 0; i < 4; i++) {
            assertThat(checkStatus(nodeB, app, id, wrong(code))).isEqualTo(422);
        }
        ApiClient.Response last = nodeA.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", wrong(code)));
        assertThat(last.status()).isEqualTo(422);
        assertThat(last.json().get("attempts_remaining").asInt()).isZero();
        assertThat(nodeB.get("/v1/verifications/" + id, app.key()).text("status")).isEqualTo("failed");
        assertThat(checkStatus(nodeA, app, id, code)).isEqualTo(429);
        assertThat(checkStatus(nodeB, app, id, code)).isEqualTo(429);
        JdbcClient jdbc = first.getBean(JdbcClient.class);
        assertThat(jdbc.sql("select attempts from verifications where id = ?").param(id).query(Integer.class).single())
                .isEqualTo(5);
    }

    @Test
    void checkWhenTheOtherNodeCanceledThenTheRightCodeIsRefusedOnTheCopyingNode_S15() {
        String to = TestApps.newPhone();
        String id = nodeA.post("/v1/verifications", app.key(), Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        assertThat(nodeB.post("/v1/verifications/" + id + "/cancel", app.key(), null).status()).isEqualTo(200);
        ApiClient.Response late = nodeA.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code));
        assertThat(late.status()).isEqualTo(410);
        assertThat(late.text("verification_status")).isEqualTo("canceled");
        assertThat(nodeA.get("/v1/verifications/" + id, app.key()).text("status")).isEqualTo("canceled");
    }

    @Test
    void checkWhenTheRowExpiredBeforeTheCopySaysThenTheRightCodeAnswersExpired_S09() {
        String to = TestApps.newPhone();
        String id = nodeA.post("/v1/verifications", app.key(), Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        // The row is the truth: its expiry, moved into the past, wins over the copy's, still in the future.
        first.getBean(JdbcClient.class).sql("update verifications set expires_at = ? where id = ?")
                .params(java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1)), id).update();
        ApiClient.Response expired = nodeA.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code));
        assertThat(expired.status()).as(expired.body()).isEqualTo(410);
        assertThat(expired.text("type")).isEqualTo("https://otpgate.dev/problems/verification-expired");
        assertThat(nodeB.get("/v1/verifications/" + id, app.key()).text("status")).isEqualTo("expired");
    }

    @Test
    void checkWhenBothNodesHoldACopyOfDifferentStepsThen50ParallelRightCodesApproveOnce_S10() throws Exception {
        String to = TestApps.newPhone();
        String id = nodeA.post("/v1/verifications", quick.key(), Map.of("to", to)).text("id");
        fixtures.codeFor(to, 1);
        assertThat(nodeB.post("/v1/verifications/" + id + "/resend", quick.key(), null).status()).isEqualTo(202);
        String code = fixtures.codeFor(to, 2);
        List<Integer> statuses = Concurrently.run(50, i -> checkStatus(i % 2 == 0 ? nodeA : nodeB, quick, id, code));
        assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        assertThat(statuses).filteredOn(status -> status != 200).allMatch(status -> status == 410);
        JdbcClient jdbc = first.getBean(JdbcClient.class);
        assertThat(jdbc.sql("select attempts from verifications where id = ?").param(id).query(Integer.class).single())
                .as("no right code counted as a wrong guess against a stale copy").isZero();
    }

    @Test
    void checkWhenBothNodesHoldACopyOfDifferentStepsThen50ParallelWrongCodesCountAtMostMaxAttempts_S12() throws Exception {
        String to = TestApps.newPhone();
        String id = nodeA.post("/v1/verifications", quick.key(), Map.of("to", to)).text("id");
        fixtures.codeFor(to, 1);
        assertThat(nodeB.post("/v1/verifications/" + id + "/resend", quick.key(), null).status()).isEqualTo(202);
        String code = fixtures.codeFor(to, 2);
        List<Integer> statuses = Concurrently.run(50, i -> checkStatus(i % 2 == 0 ? nodeA : nodeB, quick, id, wrong(code)));
        assertThat(statuses).filteredOn(status -> status == 422).hasSizeLessThanOrEqualTo(5);
        assertThat(statuses).filteredOn(status -> status != 422).allMatch(status -> status == 429);
        JdbcClient jdbc = first.getBean(JdbcClient.class);
        assertThat(jdbc.sql("select attempts from verifications where id = ?").param(id).query(Integer.class).single())
                .isEqualTo(5);
        assertThat(nodeA.get("/v1/verifications/" + id, quick.key()).text("status")).isEqualTo("failed");
        assertThat(checkStatus(nodeA, quick, id, code)).isEqualTo(429);
        assertThat(checkStatus(nodeB, quick, id, code)).isEqualTo(429);
    }
}
