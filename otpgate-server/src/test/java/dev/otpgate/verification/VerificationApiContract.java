package dev.otpgate.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.support.ApiClient;
import dev.otpgate.support.Concurrently;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.verification.VerificationEvents.VerificationApproved;
import dev.otpgate.verification.VerificationEvents.VerificationCanceled;
import dev.otpgate.verification.VerificationEvents.VerificationExpired;
import dev.otpgate.verification.VerificationEvents.VerificationFailed;
import dev.otpgate.verification.VerificationEvents.VerificationStarted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The verification API over real HTTPS, end to end: apps and keys made through the API, codes read from the
 * dev inbox after the durable delivery job ran. Subclasses run the same suite on H2 and on PostgreSQL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s"})
abstract class VerificationApiContract extends ServerTestSupport {

    TestApp app;

    @BeforeEach
    void connect() {
        app = fixtures.app(Map.of("resend_cooldown_seconds", 0, "allowed_channels", List.of("sms", "voice", "email")));
    }

    Response start(Object body) {
        return api.post("/v1/verifications", app.key(), body);
    }

    Response check(String id, String code) {
        return api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code));
    }

    static String wrong(String code) {
        return code.equals("000000") ? "111111" : "000000";
    }

    @Test
    void startThenCheckWithTheDeliveredCodeThenApproved() {
        String to = TestApps.newPhone();
        Response started = start(Map.of("to", to));
        assertThat(started.status()).isEqualTo(201);
        assertThat(started.header("Location")).isEqualTo("/v1/verifications/" + started.text("id"));
        assertThat(started.text("status")).isEqualTo("pending");
        assertThat(started.text("channel")).isEqualTo("sms");
        assertThat(started.json().get("attempts_remaining").asInt()).isEqualTo(5);
        assertThat(started.json().get("sends_remaining").asInt()).isEqualTo(4);

        String code = fixtures.codeFor(to);
        assertThat(code).hasSize(6);
        Response approved = check(started.text("id"), code);
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/v1/verifications/" + started.text("id"), app.key()).json().get("delivery")
                        .get("status").asString()).isEqualTo("sent"));
        assertThat(events.of(VerificationStarted.class)).anyMatch(e -> e.verificationId().equals(started.text("id"))
                && "US".equals(e.countryCode()));
        assertThat(events.of(VerificationApproved.class)).anyMatch(e -> e.verificationId().equals(started.text("id")));
    }

    @Test
    void checkWhenCodeIsWrongThenIncorrectWithAttemptsRemaining() {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        Response wrong = check(id, wrong(code));
        assertThat(wrong.status()).isEqualTo(422);
        assertThat(wrong.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(wrong.text("type")).isEqualTo("https://otpgate.dev/problems/incorrect-code");
        assertThat(wrong.json().get("attempts_remaining").asInt()).isEqualTo(4);
    }

    @Test
    void answersWhenACreatedVerificationOrAProblemIsWrittenThenEachLeavesWholeWithItsLengthAndALargeOneStillStreams() {
        String to = TestApps.newPhone();
        Response started = start(Map.of("to", to));
        Response wrong = check(started.text("id"), wrong(fixtures.codeFor(to)));
        Response unauthenticated = api.post("/v1/verifications", null, Map.of("to", to));
        assertThat(unauthenticated.status()).isEqualTo(401);
        for (Response answer : List.of(started, wrong, unauthenticated)) {
            assertThat(answer.header("Content-Length")).as("a ResponseEntity's flush no longer commits it early: %s",
                    answer.body()).isEqualTo(String.valueOf(answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
            assertThat(answer.header("Transfer-Encoding")).isNull();
        }
        assertThat(started.status()).isEqualTo(201);
        assertThat(wrong.status()).isEqualTo(422);
        assertThat(wrong.text("instance")).as("a refusal answered as a value still names its request")
                .isEqualTo("/v1/verifications/" + started.text("id") + "/check");

        // Larger than Tomcat's 8 KiB buffer: committed when the buffer fills, the rest streamed, nothing lost.
        Response document = api.get("/v1/openapi.json", null);
        assertThat(document.status()).isEqualTo(200);
        assertThat(document.body().length()).isGreaterThan(16 * 1024);
        assertThat(document.json().path("paths").has("/v1/verifications")).isTrue();
        for (String check : List.of("/v1/verifications/{id}/check", "/v1/verifications/check")) {
            assertThat(document.json().path("paths").path(check).path("post").path("responses").path("200").path("content")
                    .path("application/json").path("schema").path("$ref").asString()).as(check).endsWith("/VerificationView");
        }
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    double cacheCount(String result) {
        return meters.counter("otpgate.verification.check.cache", "result", result).count();
    }

    @Test
    void checkWhenTheNodeStartedTheVerificationThenAWrongAndARightCodeAreAnsweredFromItsCopy() {
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of("to", TestApps.newPhone()),
                Map.of("to", TestApps.newPhone(), "transaction", Map.of("amount", "12.00 EUR")))) {
            String id = start(body).text("id");
            String code = fixtures.codeFor((String) body.get("to"));
            double hits = cacheCount("hit");
            double misses = cacheCount("miss");
            Response wrong = check(id, wrong(code));
            assertThat(wrong.status()).isEqualTo(422);
            assertThat(wrong.json().get("attempts_remaining").asInt()).isEqualTo(4);
            Response approved = check(id, code);
            assertThat(approved.status()).as(approved.body()).isEqualTo(200);
            assertThat(approved.text("status")).isEqualTo("approved");
            assertThat(approved.json().get("attempts_remaining").asInt()).as("not pending any more").isZero();
            assertThat(cacheCount("hit")).as("both checks from the copy, %s", body.keySet()).isEqualTo(hits + 2);
            assertThat(cacheCount("miss")).isEqualTo(misses);
            assertThat(jdbc.sql("select attempts from verifications where id = ?").param(id).query(Integer.class).single())
                    .isEqualTo(1);
            assertThat(events.of(VerificationApproved.class)).filteredOn(e -> e.verificationId().equals(id)).hasSize(1);
            assertThat(check(id, code).status()).as("the copy went with the approval").isEqualTo(410);
            assertThat(cacheCount("miss")).isEqualTo(misses + 1);
        }
    }

    @Test
    void checkWhenTheRowWasCanceledBehindTheCopyThenTheRowDecides_S15() {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        // As an erasure does, or a node this one never hears from: the row changes, the copy does not.
        jdbc.sql("update verifications set status = 'canceled' where id = ?").param(id).update();
        double stale = cacheCount("stale");
        Response late = check(id, code);
        assertThat(late.status()).isEqualTo(410);
        assertThat(late.text("verification_status")).isEqualTo("canceled");
        assertThat(cacheCount("stale")).isEqualTo(stale + 1);
        assertThat(events.of(VerificationApproved.class)).noneMatch(e -> e.verificationId().equals(id));
    }

    @Test
    void checkWhenMaxAttemptsUsedThenFailedAndEvenTheRightCodeIsRefused_S12() {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        for (int remaining = 4; remaining >= 0; remaining--) {
            Response wrong = check(id, wrong(code));
            assertThat(wrong.status()).isEqualTo(422);
            assertThat(wrong.json().get("attempts_remaining").asInt()).isEqualTo(remaining);
        }
        Response locked = check(id, code);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.text("type")).isEqualTo("https://otpgate.dev/problems/too-many-attempts");
        assertThat(api.get("/v1/verifications/" + id, app.key()).text("status")).isEqualTo("failed");
        assertThat(events.of(VerificationFailed.class)).anyMatch(e -> e.verificationId().equals(id) && e.reason().equals("max-attempts"));
    }

    @Test
    void checkWhen50ParallelChecksOfTheRightCodeThenExactlyOneApproves_S10() throws Exception {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        List<Integer> statuses = Concurrently.run(50, i -> check(id, code).status());
        assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        assertThat(statuses).filteredOn(status -> status != 200).allMatch(status -> status == 410);
        assertThat(events.of(VerificationApproved.class)).filteredOn(e -> e.verificationId().equals(id)).hasSize(1);
    }

    @Test
    void checkWhen50ParallelWrongChecksThenNoMoreThanMaxAttemptsAreCounted_S12() throws Exception {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        List<Integer> statuses = Concurrently.run(50, i -> check(id, wrong(code)).status());
        assertThat(statuses).filteredOn(status -> status == 422).hasSizeLessThanOrEqualTo(5);
        assertThat(statuses).filteredOn(status -> status != 422).allMatch(status -> status == 429);
        int attempts = jdbc.sql("select attempts from verifications where id = ?").param(id).query(Integer.class).single();
        assertThat(attempts).isEqualTo(5);
        assertThat(check(id, code).status()).isEqualTo(429);
    }

    @Test
    void checkWhenCodeIs599SecondsOldThenApprovedAnd601ThenExpired_S09() {
        String first = TestApps.newPhone();
        String accepted = start(Map.of("to", first)).text("id");
        String acceptedCode = fixtures.codeFor(first);
        String second = TestApps.newPhone();
        String rejected = start(Map.of("to", second)).text("id");
        String rejectedCode = fixtures.codeFor(second);

        clock.advance(Duration.ofSeconds(599));
        assertThat(check(accepted, acceptedCode).status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(2));
        Response expired = check(rejected, rejectedCode);
        assertThat(expired.status()).isEqualTo(410);
        assertThat(expired.text("type")).isEqualTo("https://otpgate.dev/problems/verification-expired");
        assertThat(api.get("/v1/verifications/" + rejected, app.key()).text("status")).isEqualTo("expired");
        assertThat(events.of(VerificationExpired.class)).anyMatch(e -> e.verificationId().equals(rejected));
    }

    @Test
    void resendWhenANewCodeIsSentThenTheOldOneStopsWorkingAndFailuresAreKept_S04() {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        String oldCode = fixtures.codeFor(to, 1);
        assertThat(check(id, wrong(oldCode)).status()).isEqualTo(422);

        Response resent = api.post("/v1/verifications/" + id + "/resend", app.key(), null);
        assertThat(resent.status()).as(resent.body()).isEqualTo(202);
        assertThat(resent.json().get("sends_remaining").asInt()).isEqualTo(3);
        String newCode = fixtures.codeFor(to, 2);

        if (!newCode.equals(oldCode)) {
            Response old = check(id, oldCode);
            assertThat(old.status()).isEqualTo(422);
            assertThat(old.json().get("attempts_remaining").asInt()).isEqualTo(3);
        }
        assertThat(check(id, newCode).status()).isEqualTo(200);
    }

    @Test
    void rotateCodeKeyWhenACodeWasSentBeforeThenItStillApprovesAndOnlyAnAdminMayRotate_S42() {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to, 1);

        assertThat(api.post("/v1/admin/keys/code/rotate", app.key(), null).status()).isEqualTo(403);
        Response rotated = api.post("/v1/admin/keys/code/rotate", ADMIN_KEY, null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(rotated.text("primary_key_id")).matches("[0-9]+");

        assertThat(api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code)).status()).isEqualTo(200);
        String later = TestApps.newPhone();
        String next = start(Map.of("to", later)).text("id");
        assertThat(api.post("/v1/verifications/" + next + "/check", app.key(), Map.of("code", fixtures.codeFor(later, 1)))
                .status()).as("a code tagged under the new key").isEqualTo(200);
    }

    @Test
    void resendWhenCodesAreReplacedFasterThanTheyAreSentThenEveryStepStaysVisibleWithItsOutcome() {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        for (int i = 0; i < 4; i++) {
            assertThat(api.post("/v1/verifications/" + id + "/resend", app.key(), Map.of()).status()).isEqualTo(202);
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            tools.jackson.databind.JsonNode steps = api.get("/v1/verifications/" + id, app.key()).json().get("steps");
            List<Integer> numbers = new java.util.ArrayList<>();
            steps.forEach(step -> numbers.add(step.get("step").asInt()));
            assertThat(numbers).containsExactly(1, 2, 3, 4, 5);
            for (int i = 0; i < 4; i++) {
                String status = steps.get(i).get("status").asString();
                assertThat(status).as("step %d", i + 1).isIn("sent", "skipped");
                if (status.equals("skipped")) {
                    assertThat(steps.get(i).get("reason").asString()).isEqualTo("replaced by a new code before it was sent");
                }
            }
            assertThat(steps.get(4).get("status").asString()).isEqualTo("sent");
        });
    }

    @Test
    void resendWhenInCooldownThen429WithRetryAfterAndWhenSendsAreUsedThen429() {
        TestApp strict = fixtures.app(Map.of("resend_cooldown_seconds", 60, "max_sends", 2));
        String to = TestApps.newPhone();
        String id = api.post("/v1/verifications", strict.key(), Map.of("to", to)).text("id");
        Response tooSoon = api.post("/v1/verifications/" + id + "/resend", strict.key(), null);
        assertThat(tooSoon.status()).isEqualTo(429);
        assertThat(tooSoon.text("type")).isEqualTo("https://otpgate.dev/problems/resend-cooldown");
        assertThat(Integer.parseInt(tooSoon.header("Retry-After"))).isBetween(1, 60);
        assertThat(tooSoon.json().get("retry_after_seconds").asInt()).isBetween(1, 60);

        clock.advance(Duration.ofSeconds(61));
        assertThat(api.post("/v1/verifications/" + id + "/resend", strict.key(), null).status()).isEqualTo(202);
        clock.advance(Duration.ofSeconds(61));
        Response used = api.post("/v1/verifications/" + id + "/resend", strict.key(), null);
        assertThat(used.status()).isEqualTo(429);
        assertThat(used.text("type")).isEqualTo("https://otpgate.dev/problems/max-sends-reached");
    }

    @Test
    void checkWhenCodeBelongsToAnotherVerificationThenRefused_S11() {
        String to = TestApps.newPhone();
        String first = start(Map.of("to", to)).text("id");
        String firstCode = fixtures.codeFor(to, 1);
        String second = start(Map.of("to", to)).text("id");
        String secondCode = fixtures.codeFor(to, 2);
        if (!firstCode.equals(secondCode)) {
            assertThat(check(second, firstCode).status()).isEqualTo(422);
        }
        assertThat(check(first, firstCode).status()).isEqualTo(200);
        assertThat(check(second, secondCode).status()).isEqualTo(200);
    }

    @Test
    void checkWhenTheStoredTransactionWasAlteredThenTheRightCodeNoLongerApproves_S11() {
        String to = TestApps.newPhone();
        Response started = start(Map.of("to", to, "transaction", Map.of("amount", "120.00 EUR", "payee", "ACME Ltd")));
        assertThat(started.json().get("transaction").get("payee").asString()).isEqualTo("ACME Ltd");
        String code = fixtures.codeFor(to);
        assertThat(fixtures.messagesTo(to).getFirst()).contains("amount: 120.00 EUR").contains("payee: ACME Ltd");

        jdbc.sql("update verifications set transaction_json = ? where id = ?")
                .params("{\"amount\":\"9999.00 EUR\",\"payee\":\"Mallory\"}", started.text("id")).update();
        assertThat(check(started.text("id"), code).status()).isEqualTo(422);
    }

    @Test
    void startWhenTheSameIdempotencyKeyAndBodyComeTwiceThenOneVerificationAndOneSend() throws Exception {
        String to = TestApps.newPhone();
        String body = ApiClient.json(Map.of("to", to));
        Map<String, String> headers = Map.of("Idempotency-Key", "order-" + to.substring(1));
        Response first = api.postRaw("/v1/verifications", app.key(), body, headers);
        Response again = api.postRaw("/v1/verifications", app.key(), body, headers);
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.text("id")).isEqualTo(first.text("id"));
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        fixtures.codeFor(to);
        Thread.sleep(1500);
        assertThat(fixtures.messagesTo(to)).hasSize(1);

        Response other = api.postRaw("/v1/verifications", app.key(), ApiClient.json(Map.of("to", to, "locale", "de")), headers);
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.text("type")).isEqualTo("https://otpgate.dev/problems/idempotency-key-reused");
    }

    @Test
    void startWhenParallelRequestsShareAnIdempotencyKeyThenOneVerification() throws Exception {
        String to = TestApps.newPhone();
        String body = ApiClient.json(Map.of("to", to));
        Map<String, String> headers = Map.of("Idempotency-Key", "parallel-" + to.substring(1));
        List<String> ids = Concurrently.run(10, i -> {
            Response response = api.postRaw("/v1/verifications", app.key(), body, headers);
            return response.status() == 201 ? response.text("id") : "status " + response.status();
        });
        assertThat(ids).filteredOn(id -> id.startsWith("vrf_")).isNotEmpty();
        assertThat(ids.stream().filter(id -> id.startsWith("vrf_")).distinct()).hasSize(1);
        // The others are told to retry (409 while the first commits) or meet the per-destination limit (429):
        // never a second verification.
        assertThat(ids).allMatch(id -> id.startsWith("vrf_") || id.equals("status 409") || id.equals("status 429"));
    }

    @Test
    void checkByDestinationWhenSpelledDifferentlyThenTheSameVerificationApproves() {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        String respelled = "+1 (" + to.substring(2, 5) + ") " + to.substring(5, 8) + "-" + to.substring(8);
        Response approved = api.post("/v1/verifications/check", app.key(), Map.of("to", respelled, "code", code));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.text("id")).isEqualTo(id);

        Response none = api.post("/v1/verifications/check", app.key(), Map.of("to", to, "code", code));
        assertThat(none.status()).isEqualTo(404);
    }

    @Test
    void cancelWhenPendingThenCanceledAndEveryLaterTransitionIsRefused_S15() {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        Response canceled = api.post("/v1/verifications/" + id + "/cancel", app.key(), null);
        assertThat(canceled.status()).isEqualTo(200);
        assertThat(canceled.text("status")).isEqualTo("canceled");
        assertThat(api.post("/v1/verifications/" + id + "/cancel", app.key(), null).status()).isEqualTo(409);
        assertThat(api.post("/v1/verifications/" + id + "/resend", app.key(), null).status()).isEqualTo(409);
        Response late = check(id, code);
        assertThat(late.status()).isEqualTo(410);
        assertThat(late.text("verification_status")).isEqualTo("canceled");
        assertThat(events.of(VerificationCanceled.class)).anyMatch(e -> e.verificationId().equals(id));
    }

    @Test
    void everyCallWhenTheVerificationBelongsToAnotherAppThenAnswersLikeAnUnknownId_S14_S28() {
        String to = TestApps.newPhone();
        String id = start(Map.of("to", to)).text("id");
        TestApp other = fixtures.app();
        String unknown = "vrf_" + "a".repeat(26);
        List<List<String>> answers = new ArrayList<>();
        for (String target : List.of(id, unknown)) {
            List<String> answer = new ArrayList<>();
            answer.add(api.get("/v1/verifications/" + target, other.key()).body());
            answer.add(api.post("/v1/verifications/" + target + "/check", other.key(), Map.of("code", "123456")).body());
            answer.add(api.post("/v1/verifications/" + target + "/resend", other.key(), null).body());
            answer.add(api.post("/v1/verifications/" + target + "/cancel", other.key(), null).body());
            // The instance member echoes the path the caller sent; everything else must be identical.
            answers.add(answer.stream().map(body -> body.replace(target, "{id}")).toList());
        }
        assertThat(answers.get(0)).isEqualTo(answers.get(1));
        assertThat(answers.get(0)).allMatch(body -> body.contains("\"status\":404") && body.contains("verification does not exist"));
        Response byDestination = api.post("/v1/verifications/check", other.key(), Map.of("to", to, "code", "123456"));
        assertThat(byDestination.status()).isEqualTo(404);
        assertThat(api.get("/v1/verifications/" + id, app.key()).text("status")).isEqualTo("pending");
    }

    @Test
    void callsWhenTheKeyLacksTheRoleThen403AndUnsupportedMethodsThen405_S30_S31() {
        String id = start(Map.of("to", TestApps.newPhone())).text("id");
        assertThat(api.get("/v1/apps", app.key()).status()).isEqualTo(403);
        assertThat(api.get("/v1/unknown", app.key()).status()).isEqualTo(403);
        Response anonymous = api.get("/v1/unknown", null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(api.post("/v1/apps", app.key(), Map.of("name", "x")).status()).isEqualTo(403);
        assertThat(api.get("/v1/apps/" + app.id() + "/api-keys", app.key()).status()).isEqualTo(403);
        assertThat(api.get("/v1/dev/messages", app.key()).status()).isEqualTo(403);
        assertThat(api.post("/v1/verifications", ADMIN_KEY, Map.of("to", TestApps.newPhone())).status()).isEqualTo(403);

        String checkOnly = fixtures.key(app.id(), List.of("verifications:check"));
        Response refused = api.post("/v1/verifications", checkOnly, Map.of("to", TestApps.newPhone()));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("type")).isEqualTo("https://otpgate.dev/problems/forbidden");
        assertThat(api.get("/v1/verifications/" + id, checkOnly).status()).isEqualTo(200);

        Response put = api.send("PUT", "/v1/verifications/" + id, app.key(), "{}", Map.of());
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(api.send("DELETE", "/v1/verifications/" + id, app.key(), null, Map.of()).status()).isEqualTo(405);
    }

    @Test
    void keysWhenRevokedOrExpiredOrMalformedOrInTheUrlThenRefused_S24() {
        String key = fixtures.key(app.id(), List.of());
        assertThat(api.get("/v1/verifications/vrf_" + "b".repeat(26), key).status()).isEqualTo(404);
        String keyId = api.get("/v1/apps/" + app.id() + "/api-keys", ADMIN_KEY).json().get("api_keys")
                .valueStream().filter(k -> key.endsWith(k.get("hint").asString().substring(6))).reduce((a, b) -> b)
                .orElseThrow().get("id").asString();
        assertThat(api.delete("/v1/apps/" + app.id() + "/api-keys/" + keyId, ADMIN_KEY).status()).isEqualTo(204);
        Response revoked = api.get("/v1/verifications/vrf_" + "b".repeat(26), key);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.header("WWW-Authenticate")).startsWith("Bearer");

        Response expiring = api.post("/v1/apps/" + app.id() + "/api-keys", ADMIN_KEY,
                Map.of("name", "short", "expires_at", java.time.Instant.now().plusSeconds(60).toString()));
        assertThat(expiring.status()).isEqualTo(201);
        clock.advance(Duration.ofSeconds(61));
        assertThat(api.get("/v1/verifications/vrf_" + "b".repeat(26), expiring.text("secret")).status()).isEqualTo(401);
        clock.reset();

        String typo = app.key().substring(0, 10) + (app.key().charAt(10) == 'a' ? 'b' : 'a') + app.key().substring(11);
        assertThat(api.get("/v1/verifications/vrf_" + "b".repeat(26), typo).status()).isEqualTo(401);
        Response inUrl = api.get("/v1/verifications/vrf_" + "b".repeat(26) + "?api_key=" + app.key(), null);
        assertThat(inUrl.status()).isEqualTo(400);
        assertThat(inUrl.text("type")).isEqualTo("https://otpgate.dev/problems/credentials-in-url");
        Response noKey = api.get("/v1/verifications/vrf_" + "b".repeat(26), null);
        assertThat(noKey.status()).isEqualTo(401);
        assertThat(noKey.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"otpgate\"");

        List<String> listed = api.get("/v1/apps/" + app.id() + "/api-keys", ADMIN_KEY).json().get("api_keys")
                .valueStream().map(Object::toString).toList();
        assertThat(String.join("", listed)).doesNotContain(app.key()).doesNotContain(key).doesNotContain("\"secret\"");
    }

    @Test
    void requestsWhenBodiesHoldUnknownReadOnlyMistypedOrRepeatedFieldsThen400NamingTheField_S29() {
        Map<String, Object> cases = Map.of(
                "{\"to\":\"+14155550199\",\"status\":\"approved\"}", "status",
                "{\"to\":\"+14155550199\",\"app_id\":\"app_x\"}", "app_id",
                "{\"to\":\"+14155550199\",\"expires_at\":\"2030-01-01T00:00:00Z\"}", "expires_at",
                "{\"to\":447700900999}", "to",
                "{\"to\":\"+14155550199\",\"transaction\":[1]}", "transaction",
                "{\"to\":\"+14155550199\",\"end_user\":{\"ip\":\"not-an-ip\"}}", "end_user.ip",
                "{\"to\":\"+1 555\"}", "to",
                "{\"to\":\"+14155550199\",\"channel\":\"pigeon\"}", "channel");
        cases.forEach((body, field) -> {
            Response response = api.postRaw("/v1/verifications", app.key(), body, Map.of());
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.text("type")).isEqualTo("https://otpgate.dev/problems/invalid-request");
            assertThat(response.json().get("errors").get(0).get("field").asString()).as(body).isEqualTo(field);
        });
        Response codeAsNumber = api.postRaw("/v1/verifications/vrf_" + "c".repeat(26) + "/check", app.key(), "{\"code\":123456}", Map.of());
        assertThat(codeAsNumber.status()).isEqualTo(400);
        Response twice = api.postRaw("/v1/verifications", app.key(),
                "{\"to\":\"+14155550199\",\"to\":\"bob@example.com\"}", Map.of());
        assertThat(twice.status()).as("a key given twice").isEqualTo(400);
        assertThat(twice.json().get("errors").get(0).get("field").asString()).isEqualTo("to");
        assertThat(twice.body()).doesNotContain("bob@example.com").doesNotContain("5550199");
        for (String expiry : List.of("2147483648", "\"2147483648\"", "\"2030-01-01T00:00:00\"", "\"tomorrow\"")) {
            Response numeric = api.postRaw("/v1/apps/" + app.id() + "/api-keys", ADMIN_KEY,
                    "{\"name\":\"k\",\"expires_at\":" + expiry + "}", Map.of());
            assertThat(numeric.status()).as("expires_at %s", expiry).isEqualTo(400);
            assertThat(numeric.json().get("errors").get(0).get("field").asString()).isEqualTo("expires_at");
        }
        assertThat(api.postRaw("/v1/apps/" + app.id() + "/api-keys", ADMIN_KEY,
                "{\"name\":\"k\",\"expires_at\":\"2030-01-01T00:00:00+02:00\"}", Map.of()).status())
                .as("an RFC 3339 time with its offset").isEqualTo(201);
        Response extraOnApp = api.postRaw("/v1/apps", ADMIN_KEY, "{\"name\":\"x\",\"id\":\"app_mine\"}", Map.of());
        assertThat(extraOnApp.status()).isEqualTo(400);
        assertThat(extraOnApp.json().get("errors").get(0).get("field").asString()).isEqualTo("id");
    }

    @Test
    void responsesWhenAVerificationIsReadThenCarryNoCodeOrHashAndOnlyAMaskedDestination_S29_S43() {
        String to = TestApps.newPhone();
        Response started = start(Map.of("to", to));
        String code = fixtures.codeFor(to);
        Response read = api.get("/v1/verifications/" + started.text("id"), app.key());
        for (Response response : List.of(started, read)) {
            assertThat(response.body()).doesNotContain(code).doesNotContain(to).doesNotContain(to.substring(1))
                    .doesNotContain("code_hash").doesNotContain("hash");
            assertThat(response.text("to")).isEqualTo("+1 " + to.substring(2, 5) + " ••• ••" + to.substring(to.length() - 2));
        }
        byte[] stored = jdbc.sql("select destination_ciphertext from verifications where id = ?")
                .param(started.text("id")).query(byte[].class).single();
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(to.substring(1));
    }

    @Test
    void startWhenChannelIsNotAllowedThen403AndEmailMustBeChosenExplicitly_S06() {
        TestApp smsOnly = fixtures.app(Map.of("allowed_channels", List.of("sms")));
        Response email = api.post("/v1/verifications", smsOnly.key(), Map.of("to", "someone@example.com"));
        assertThat(email.status()).isEqualTo(403);
        assertThat(email.text("type")).isEqualTo("https://otpgate.dev/problems/channel-not-allowed");
        Response voice = api.post("/v1/verifications", smsOnly.key(), Map.of("to", TestApps.newPhone(), "channel", "voice"));
        assertThat(voice.status()).isEqualTo(403);
        Response mismatch = api.post("/v1/verifications", app.key(), Map.of("to", TestApps.newPhone(), "channel", "email"));
        assertThat(mismatch.status()).isEqualTo(400);
    }

    @Test
    void startWhenEmailHasNoSmtpServerInEmbeddedModeThenTheCodeGoesToTheDevInbox() {
        String to = "dev.inbox." + TestApps.newPhone().substring(1) + "@example.com";
        Response started = start(Map.of("to", to));
        assertThat(started.status()).isEqualTo(201);
        assertThat(started.text("channel")).isEqualTo("email");
        String code = fixtures.codeFor(to);
        assertThat(fixtures.messagesTo(to).getFirst()).startsWith("Subject: Your Test App verification code");
        assertThat(check(started.text("id"), code).status()).isEqualTo(200);
    }

    @Test
    void startWhenTheAppAsksForLongerCodesThenTheCodeHasThatLength_S02() {
        TestApp longCodes = fixtures.app(Map.of("code_length", 8));
        String to = TestApps.newPhone();
        String id = api.post("/v1/verifications", longCodes.key(), Map.of("to", to)).text("id");
        String code = fixtures.codeFor(to);
        assertThat(code).hasSize(8).containsOnlyDigits();
        assertThat(api.post("/v1/verifications/" + id + "/check", longCodes.key(), Map.of("code", code)).status()).isEqualTo(200);
    }

    @Test
    void appsWhenSettingsAreOutOfRangeThen400NamingTheFieldAndPatchKeepsTheRest() {
        Map<String, Object> invalid = Map.of("code_length", 5, "code_ttl_seconds", 601, "max_attempts", 11,
                "max_sends", 0, "locale", "english");
        invalid.forEach((field, value) -> {
            Response response = api.post("/v1/apps", ADMIN_KEY, Map.of("name", "Bad", field, value));
            assertThat(response.status()).as(field).isEqualTo(400);
            assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo(field);
        });
        Response defaultNotAllowed = api.post("/v1/apps", ADMIN_KEY,
                Map.of("name", "Bad", "allowed_channels", List.of("sms"), "default_channel", "email"));
        assertThat(defaultNotAllowed.json().get("errors").get(0).get("field").asString()).isEqualTo("default_channel");

        Response patched = api.patch("/v1/apps/" + app.id(), ADMIN_KEY, Map.of("brand", "Acme", "code_length", 7));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.text("brand")).isEqualTo("Acme");
        assertThat(patched.json().get("code_length").asInt()).isEqualTo(7);
        assertThat(patched.json().get("max_attempts").asInt()).isEqualTo(5);
        assertThat(patched.json().get("allowed_channels").size()).isEqualTo(3);
        assertThat(api.patch("/v1/apps/" + app.id(), ADMIN_KEY, Map.of("code_length", 11)).status()).isEqualTo(400);
        assertThat(api.get("/v1/apps/" + app.id(), ADMIN_KEY).json().get("code_length").asInt()).isEqualTo(7);
    }

    @Test
    void deleteAppWhenItHasKeysAndVerificationsThenAllAreGone() {
        TestApp doomed = fixtures.app();
        String id = api.post("/v1/verifications", doomed.key(), Map.of("to", TestApps.newPhone())).text("id");
        assertThat(api.delete("/v1/apps/" + doomed.id(), ADMIN_KEY).status()).isEqualTo(204);
        assertThat(api.get("/v1/apps/" + doomed.id(), ADMIN_KEY).status()).isEqualTo(404);
        assertThat(api.get("/v1/verifications/" + id, doomed.key()).status()).isEqualTo(401);
        assertThat(jdbc.sql("select count(*) from verifications where id = ?").param(id).query(Integer.class).single()).isZero();
        assertThat(api.delete("/v1/apps/" + doomed.id(), ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void failuresWhenTheFrameworkProducesThemThenAreProblemDetailsWithoutInternals_S36_S47() {
        String id = start(Map.of("to", TestApps.newPhone())).text("id");
        List<Response> failures = new ArrayList<>();
        failures.add(api.send("GET", "/v1/verifications/" + id, app.key(), null, Map.of("Accept", "text/html")));
        failures.add(api.postRaw("/v1/verifications", app.key(), "to=+14155550199", Map.of("Content-Type", "text/plain")));
        failures.add(api.postRaw("/v1/verifications", app.key(), "{\"to\":", Map.of()));
        failures.add(api.postRaw("/v1/verifications", app.key(), "[]", Map.of()));
        failures.add(api.postRaw("/v1/verifications", app.key(), "{\"to\":\"" + "9".repeat(20_000) + "\"}", Map.of()));
        failures.add(api.get("/v1/apps/app_" + "z".repeat(26), ADMIN_KEY));
        failures.add(api.send("TRACE", "/v1/verifications/" + id, app.key(), null, Map.of()));
        assertThat(failures).extracting(Response::status).containsExactly(406, 415, 400, 400, 413, 404, 405);
        for (Response failure : failures) {
            assertThat(failure.header("Content-Type")).as(failure.body()).isEqualTo("application/problem+json");
            assertThat(failure.text("type")).startsWith("https://otpgate.dev/problems/");
            assertThat(failure.json().get("status").asInt()).isEqualTo(failure.status());
            assertThat(failure.body()).doesNotContainIgnoringCase("exception").doesNotContain("dev.otpgate")
                    .doesNotContainIgnoringCase("select ").doesNotContain("\tat ");
            assertThat(failure.header("Cache-Control")).contains("no-store");
            assertThat(failure.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
    }

    @Test
    void openApiWhenFetchedWithoutAKeyThenDescribesEveryEndpointWithExamples() {
        Response document = api.get("/v1/openapi.json", null);
        assertThat(document.status()).isEqualTo(200);
        assertThat(document.text("openapi")).startsWith("3.1");
        List<String> paths = new ArrayList<>(document.json().get("paths").propertyNames());
        assertThat(paths).contains("/v1/apps", "/v1/apps/{app_id}", "/v1/apps/{app_id}/api-keys",
                "/v1/apps/{app_id}/api-keys/{key_id}", "/v1/verifications", "/v1/verifications/{id}",
                "/v1/verifications/{id}/check", "/v1/verifications/check", "/v1/verifications/{id}/resend",
                "/v1/verifications/{id}/cancel", "/v1/dev/messages");
        assertThat(paths).doesNotContain("/error");
        assertThat(document.body()).contains("\"example\":\"+14155550123\"").contains("bearer")
                .contains("\"attempts_remaining\"").doesNotContain("attemptsRemaining").doesNotContain("appId");

        Response ui = api.send("GET", "/swagger-ui/index.html", null, null, Map.of());
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
    }

    @Autowired
    Expiry expiry;

    @Test
    void sweepWhenPendingVerificationsPassTheirExpiryThenTheyAreMarkedExpiredWithoutBeingRead() {
        String id = start(Map.of("to", TestApps.newPhone())).text("id");
        clock.advance(Duration.ofSeconds(601));
        assertThat(expiry.expireDue(500)).isGreaterThanOrEqualTo(1);
        assertThat(jdbc.sql("select status from verifications where id = ?").param(id).query(String.class).single())
                .isEqualTo("expired");
        assertThat(events.of(VerificationExpired.class)).anyMatch(e -> e.verificationId().equals(id));
    }

    @Test
    void startWhenTheIdempotencyKeyIsOlderThan24HoursThenItStartsAnewVerification() {
        String to = TestApps.newPhone();
        String body = ApiClient.json(Map.of("to", to));
        Map<String, String> headers = Map.of("Idempotency-Key", "old-" + to.substring(1));
        String first = api.postRaw("/v1/verifications", app.key(), body, headers).text("id");
        clock.advance(Duration.ofHours(24).plusSeconds(1));
        Response later = api.postRaw("/v1/verifications", app.key(), body, headers);
        assertThat(later.status()).isEqualTo(201);
        assertThat(later.text("id")).isNotEqualTo(first);
        assertThat(later.header("Idempotent-Replayed")).isNull();
    }
}
