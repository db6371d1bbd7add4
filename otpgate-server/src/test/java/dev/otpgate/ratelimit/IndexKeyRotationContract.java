package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.platform.IndexKeyUsers;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * An index-key rotation under live traffic, over real HTTPS: a destination locked out before the rotation is
 * still locked out after it, a destination that used up its send limit is still refused, rows written before it
 * are still found, idempotent retries still replay, test destinations still match, and new rows use the new key.
 * Subclasses run it on each rate-limit store (memory, database, Redis).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s"})
abstract class IndexKeyRotationContract extends ServerTestSupport {

    static final String WRONG = "000000";

    TestApp app() {
        return fixtures.app(Map.of("max_attempts", 10, "defences", Map.of("rate_limits", Map.of(
                "starts-per-destination", Map.of("capacity", 3, "period_seconds", 3600),
                "checks-per-destination", Map.of("capacity", 3, "period_seconds", 86_400)))));
    }

    Response check(TestApp app, String id, String code) {
        return api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code));
    }

    Response start(TestApp app, String to) {
        return api.post("/v1/verifications", app.key(), Map.of("to", to));
    }

    int keyIdOf(String verificationId) {
        return IndexKeyUsers.keyIdOf(jdbc.sql("select destination_index from verifications where id = ?")
                .param(verificationId).query(byte[].class).single());
    }

    @Test
    void rotationWhenADestinationIsLockedOutOrOutOfSendsThenItStaysSoAndEveryLookupStillMatches_S42_S12_S33() {
        // Queued messages go out at the server's time on the job table's real clock: the test runs in the past.
        clock.fixAt(Instant.now().minus(Duration.ofHours(1)));
        TestApp app = app();
        String locked = TestApps.newPhone();
        String lockedId = fixtures.start(app, locked);
        for (int i = 0; i < 3; i++) {
            check(app, lockedId, WRONG);
        }
        assertThat(check(app, lockedId, WRONG).text("type")).endsWith("/destination-locked");
        String limited = TestApps.newPhone();
        for (int i = 0; i < 3; i++) {
            assertThat(start(app, limited).status()).isEqualTo(201);
        }
        assertThat(start(app, limited).status()).isEqualTo(429);
        String pending = TestApps.newPhone();
        String pendingId = fixtures.start(app, pending);
        String pendingCode = fixtures.codeFor(pending);
        String retried = TestApps.newPhone();
        Response first = api.send("POST", "/v1/verifications", app.key(), "{\"to\":\"" + retried + "\"}",
                Map.of("Idempotency-Key", "rotation-retry"));
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        String testNumber = TestApps.newPhone();
        TestApp withTest = fixtures.app(Map.of("delivery", Map.of("test_destinations",
                List.of(Map.of("to", testNumber, "code", "246813")))));
        int oldKey = keyIdOf(lockedId);

        Response rotated = api.post("/v1/admin/keys/index/rotate", ADMIN_KEY, null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.text("state")).isEqualTo("secondary");
        int newKey = Integer.parseUnsignedInt(rotated.text("key_id"));
        assertThat(newKey).isNotEqualTo(oldKey);
        Response tooEarly = api.post("/v1/admin/keys/index/promote", ADMIN_KEY, null);
        assertThat(tooEarly.status()).isEqualTo(409);
        assertThat(tooEarly.text("type")).endsWith("/index-key-not-propagated");
        assertThat(tooEarly.header("Retry-After")).isNotNull();
        assertThat(api.post("/v1/admin/keys/index/rotate", ADMIN_KEY, null).text("type")).endsWith("/index-rotation-in-progress");
        assertThat(check(app, lockedId, WRONG).text("type")).as("locked while the new key is a secondary").endsWith("/destination-locked");
        assertThat(keyIdOf(fixtures.start(app, TestApps.newPhone()))).as("secondary: new rows keep the old key").isEqualTo(oldKey);

        clock.advance(Duration.ofMinutes(2));
        Response promoted = api.post("/v1/admin/keys/index/promote", ADMIN_KEY, null);
        assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
        assertThat(promoted.text("previous_key_id")).isEqualTo(Integer.toUnsignedString(oldKey));

        assertThat(check(app, lockedId, WRONG).text("type")).as("the lockout survives the rotation").endsWith("/destination-locked");
        String again = fixtures.start(app, locked);
        assertThat(keyIdOf(again)).as("new rows use the new key").isEqualTo(newKey);
        assertThat(check(app, again, WRONG).text("type")).as("a new verification to the locked destination").endsWith("/destination-locked");
        Response stillLimited = start(app, limited);
        assertThat(stillLimited.status()).as("the send limit is not reset").isEqualTo(429);
        Response byDestination = api.post("/v1/verifications/check", app.key(), Map.of("to", pending, "code", pendingCode));
        assertThat(byDestination.status()).as(byDestination.body()).isEqualTo(200);
        assertThat(byDestination.text("id")).isEqualTo(pendingId);
        Response replayed = api.send("POST", "/v1/verifications", app.key(), "{\"to\":\"" + retried + "\"}",
                Map.of("Idempotency-Key", "rotation-retry"));
        assertThat(replayed.status()).as(replayed.body()).isIn(200, 201);
        assertThat(replayed.text("id")).isEqualTo(first.text("id"));
        String testId = fixtures.start(withTest, testNumber);
        assertThat(check(withTest, testId, "246813").text("status")).as("a test destination saved before").isEqualTo("approved");

        Response early = api.post("/v1/admin/keys/index/retire", ADMIN_KEY, null);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.text("type")).endsWith("/index-key-still-needed");
        clock.advance(Duration.ofDays(8));
        Response inUse = api.post("/v1/admin/keys/index/retire", ADMIN_KEY, null);
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.text("type")).as(inUse.body()).endsWith("/index-key-in-use");
        assertThat(inUse.text("detail")).contains(withTest.id()).doesNotContain(testNumber.substring(2));
        Response resaved = api.patch("/v1/apps/" + withTest.id(), ADMIN_KEY, Map.of("delivery", Map.of("test_destinations",
                List.of(Map.of("to", testNumber, "code", "246813")))));
        assertThat(resaved.status()).as(resaved.body()).isEqualTo(200);
        Response retired = api.post("/v1/admin/keys/index/retire", ADMIN_KEY, null);
        assertThat(retired.status()).as(retired.body()).isEqualTo(200);
        assertThat(retired.text("key_id")).isEqualTo(Integer.toUnsignedString(oldKey));
        byte[] probe = jdbc.sql("select check_value from key_check where name = 'index'").query(byte[].class).single();
        assertThat(IndexKeyUsers.keyIdOf(probe)).as("the start-up key check is recorded under the new key").isEqualTo(newKey);
        assertThat(api.post("/v1/admin/keys/index/retire", ADMIN_KEY, null).text("type")).endsWith("/nothing-to-retire");

        Response audit = api.get("/v1/audit-events?limit=100", ADMIN_KEY);
        assertThat(audit.status()).as(audit.body()).isEqualTo(200);
        List<String> steps = new java.util.ArrayList<>();
        audit.json().get("events").forEach(row -> {
            if (row.get("action").asString().startsWith("key.index_")) {
                steps.add(row.get("action").asString() + ":" + row.get("target_id").asString());
            }
        });
        assertThat(steps).as("each step that took effect, and none that was refused, is in the audit trail, newest first")
                .containsExactly("key.index_retired:" + Integer.toUnsignedString(oldKey),
                        "key.index_promoted:" + Integer.toUnsignedString(newKey),
                        "key.index_rotated:" + Integer.toUnsignedString(newKey));
    }

    @Test
    void rotationWhenCalledWithAnAppKeyThenItIsRefused_S31() {
        TestApp app = fixtures.app();
        Response refused = api.post("/v1/admin/keys/index/rotate", app.key(), null);
        assertThat(refused.status()).isEqualTo(403);
        Map<String, Object> none = new HashMap<>();
        assertThat(api.post("/v1/admin/keys/index/promote", ADMIN_KEY, none).text("type")).endsWith("/nothing-to-promote");
    }
}
