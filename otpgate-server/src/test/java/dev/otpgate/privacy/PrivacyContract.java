package dev.otpgate.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.DatabaseSearch;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;

/**
 * Retention, erasure and export over real HTTPS, with the server's clock moved instead of waiting. After each
 * purge or erasure every text and binary column of every table is searched for the destination's ciphertext,
 * its blind index and its plain forms, and for the end user's IP address and user agent. Subclasses run the
 * suite on H2 and on PostgreSQL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s"})
abstract class PrivacyContract extends ServerTestSupport {

    private static final List<String> APP_SCOPES = List.of("verifications:start", "verifications:check", "privacy:manage");

    @Autowired
    RetentionPurge purge;

    TestApp app;
    String key;

    @BeforeEach
    void app() {
        app = fixtures.app();
        key = fixtures.key(app.id(), APP_SCOPES);
    }

    /** A started (and, when {@code approve}, approved) verification with an end user and transaction lines. */
    String verification(String appKey, String to, String ip, String agent, boolean approve) {
        Map<String, Object> body = new HashMap<>(Map.of("to", to, "end_user", Map.of("ip", ip, "user_agent", agent),
                "transaction", Map.of("payee", "Privacy Test Ltd")));
        int before = approve ? fixtures.messagesTo(to).size() : 0;
        Response started = api.post("/v1/verifications", appKey, body);
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        String id = started.text("id");
        if (approve) {
            String code = fixtures.codeFor(to, before + 1);
            Response checked = api.post("/v1/verifications/" + id + "/check", appKey, Map.of("code", code));
            assertThat(checked.json().get("status").asString()).as(checked.body()).isEqualTo("approved");
        }
        return id;
    }

    /** Everything that would betray {@code to} (with the stored ciphertext and index of {@code ids}), the IP and agent. */
    Map<String, byte[]> traces(String to, List<String> ids, String ip, String agent) {
        Map<String, byte[]> needles = new LinkedHashMap<>(DatabaseSearch.phoneForms(to));
        needles.put("ip", ip.getBytes(StandardCharsets.UTF_8));
        needles.put("user agent", agent.getBytes(StandardCharsets.UTF_8));
        for (String id : ids) {
            Map<String, Object> row = jdbc.sql("select destination_ciphertext, destination_index, destination_masked "
                    + "from verifications where id = ?").param(id).query().singleRow();
            needles.put("ciphertext of " + id, (byte[]) row.get("destination_ciphertext"));
            needles.put("index of " + id, (byte[]) row.get("destination_index"));
            needles.put("masked form", ((String) row.get("destination_masked")).getBytes(StandardCharsets.UTF_8));
        }
        return needles;
    }

    @Test
    void startWhenTheAppPassesTheEndUserThenItsIpAndUserAgentAreStoredEncrypted_S43() {
        String to = TestApps.newPhone();
        String id = verification(app.key(), to, "198.51.100.23", "PrivacyAgent/1.0 (stored-encrypted)", false);
        assertThat(DatabaseSearch.find(jdbc, Map.of("ip", "198.51.100.23".getBytes(StandardCharsets.UTF_8),
                "user agent", "PrivacyAgent/1.0".getBytes(StandardCharsets.UTF_8)))).isEmpty();
        byte[] sealed = jdbc.sql("select end_user_ciphertext from verifications where id = ?").param(id).query(byte[].class).single();
        assertThat(sealed).isNotEmpty();
        Response exported = api.post("/v1/privacy/export", key, Map.of("to", to));
        JsonNode endUser = exported.json().get("verifications").get(0).get("end_user");
        assertThat(endUser.get("ip").asString()).isEqualTo("198.51.100.23");
        assertThat(endUser.get("user_agent").asString()).isEqualTo("PrivacyAgent/1.0 (stored-encrypted)");
    }

    @Test
    void purgeWhenTheRetentionWindowHasPassedThenNoTableHoldsATraceAndTheAggregatesRemain_S43() {
        // Queued messages go out at the server's time, and the job table runs on the real one: the verifications
        // are made in the past rather than the purge in the future.
        java.time.Instant now = java.time.Instant.now();
        clock.fixAt(now.minus(Duration.ofDays(30)).minus(Duration.ofMinutes(30)));
        String old = TestApps.newPhone();
        String oldId = verification(app.key(), old, "198.51.100.31", "RetentionAgent/old", true);
        Map<String, byte[]> oldTraces = traces(old, List.of(oldId), "198.51.100.31", "RetentionAgent/old");
        assertThat(DatabaseSearch.find(jdbc, oldTraces)).as("before the purge").isNotEmpty();

        clock.fixAt(now.minus(Duration.ofDays(1)));
        String recent = TestApps.newPhone();
        String recentId = verification(app.key(), recent, "198.51.100.32", "RetentionAgent/recent", true);
        Map<String, byte[]> recentTraces = traces(recent, List.of(recentId), "198.51.100.32", "RetentionAgent/recent");
        long countedBefore = counted(app.id());

        clock.reset();
        assertThat(purge.purge()).isGreaterThanOrEqualTo(1);

        assertThat(DatabaseSearch.find(jdbc, oldTraces)).as("traces of the old verification").isEmpty();
        assertThat(DatabaseSearch.find(jdbc, recentTraces)).as("the recent one is kept").isNotEmpty();
        Response read = api.get("/v1/verifications/" + oldId, app.key());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("status").asString()).isEqualTo("approved");
        assertThat(read.body()).doesNotContain(old).doesNotContain(old.substring(old.length() - 2) + "\"");
        assertThat(counted(app.id())).isEqualTo(countedBefore + 1);
        Map<String, Object> aggregate = jdbc.sql("select channel, country, status, total from verification_daily_counts "
                + "where app_id = ?").param(app.id()).query().singleRow();
        assertThat(aggregate).containsEntry("channel", "sms").containsEntry("country", "US").containsEntry("status", "approved");

        assertThat(purge.purge()).as("a second run finds nothing left").isZero();
        assertThat(counted(app.id())).as("and counts nothing twice").isEqualTo(countedBefore + 1);
        assertThat(api.post("/v1/privacy/export", key, Map.of("to", old)).json().get("verifications")).isEmpty();
    }

    @Test
    void purgeWhenAnAppShortenedItsWindowThenItsVerificationsGoSoonerAndOtherAppsKeepTheirs_S43() {
        TestApp other = fixtures.app();
        java.time.Instant now = java.time.Instant.now();
        clock.fixAt(now.minus(Duration.ofDays(3)));
        String ours = verification(app.key(), TestApps.newPhone(), "198.51.100.81", "ShortWindow/ours", true);
        String theirs = verification(other.key(), TestApps.newPhone(), "198.51.100.82", "ShortWindow/theirs", true);
        clock.reset();

        Response tooLong = api.send("PUT", "/v1/privacy/retention", key, "{\"retention_seconds\": 8640000}", Map.of());
        assertThat(tooLong.status()).as("only shorter than the instance's").isEqualTo(400);
        Response set = api.send("PUT", "/v1/privacy/retention", key, "{\"retention_seconds\": 86400}", Map.of());
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.text("source")).isEqualTo("app");
        assertThat(api.get("/v1/privacy/retention", key).json().get("retention_seconds").asLong()).isEqualTo(86400);
        assertThat(api.send("PUT", "/v1/privacy/retention", key, "{\"retention_seconds\": 86400, \"app_id\": \""
                + other.id() + "\"}", Map.of()).status()).as("an app key sets its own app only").isEqualTo(404);

        purge.purge();
        assertThat(purgedAt(ours)).as("past the app's own window").isNotNull();
        assertThat(purgedAt(theirs)).as("within the instance's window").isNull();

        Response back = api.send("PUT", "/v1/privacy/retention", key, "{\"retention_seconds\": null}", Map.of());
        assertThat(back.text("source")).isEqualTo("instance");
        Response admin = api.get("/v1/privacy/retention?app_id=" + other.id(), ADMIN_KEY);
        assertThat(admin.status()).isEqualTo(200);
        assertThat(admin.text("source")).isEqualTo("instance");
    }

    private java.sql.Timestamp purgedAt(String id) {
        return jdbc.sql("select purged_at from verifications where id = ?").param(id)
                .query((rs, row) -> rs.getTimestamp(1)).list().getFirst();
    }

    @Test
    void purgeWhenTheBacklogIsLargerThanABatchThenEveryBatchIsStripped_S43() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ids.add(verification(app.key(), TestApps.newPhone(), "198.51.100.40", "BatchAgent", false));
        }
        for (String id : ids) {
            assertThat(api.post("/v1/verifications/" + id + "/cancel", app.key(), null).status()).isEqualTo(200);
        }
        clock.advance(Duration.ofDays(31));
        // The recurring purge job may wake on the advanced clock and take some batches first: what counts is that
        // nothing of the backlog is left unstripped once the purge has run.
        purge.purge();
        assertThat(jdbc.sql("select count(*) from verifications where app_id = ? and purged_at is not null")
                .param(app.id()).query(Long.class).single()).as("every batch stripped").isEqualTo(7L);
        assertThat(jdbc.sql("select count(*) from verifications where app_id = ? and purged_at is null")
                .param(app.id()).query(Long.class).single()).isZero();
    }

    @Test
    void erasureWhenAnAppKeyAsksThenOnlyThatAppsRecordsGoAndTheAnswerCountsThem_S43() {
        String to = TestApps.newPhone();
        TestApp other = fixtures.app();
        String approved = verification(app.key(), to, "198.51.100.51", "ErasureAgent/app", true);
        String pending = verification(app.key(), to, "198.51.100.51", "ErasureAgent/app", false);
        String elsewhere = verification(other.key(), to, "198.51.100.52", "ErasureAgent/other", false);
        Map<String, byte[]> ours = traces(to, List.of(approved, pending), "198.51.100.51", "ErasureAgent/app");
        // The other app's row keeps the same destination, blind index and masked form: only what is ours is searched.
        ours.keySet().removeIf(label -> !label.startsWith("ciphertext") && !label.equals("ip") && !label.equals("user agent"));
        Map<String, byte[]> theirs = traces(to, List.of(elsewhere), "198.51.100.52", "ErasureAgent/other");

        Response erased = api.post("/v1/privacy/erasure", key, Map.of("to", to));
        assertThat(erased.status()).as(erased.body()).isEqualTo(200);
        assertThat(erased.text("scope")).isEqualTo("app");
        assertThat(erased.json().get("erased").get("verifications").asInt()).isEqualTo(2);
        assertThat(erased.json().get("erased").get("delivery_steps").asInt()).isGreaterThanOrEqualTo(0);
        assertThat(erased.json().get("erased").get("dev_inbox_messages").asInt()).as("an app key does not reach the dev inbox").isZero();
        assertThat(erased.body()).doesNotContain(to).doesNotContain(to.substring(1));

        assertThat(DatabaseSearch.find(jdbc, ours)).isEmpty();
        assertThat(DatabaseSearch.find(jdbc, Map.of("other app's ciphertext", theirs.get("ciphertext of " + elsewhere))))
                .as("another app's records stay").isNotEmpty();
        assertThat(api.get("/v1/verifications/" + pending, app.key()).json().get("status").asString())
                .as("a pending verification of the subject ends").isEqualTo("canceled");
        Response check = api.post("/v1/verifications/check", app.key(), Map.of("to", to, "code", "000000"));
        assertThat(check.status()).as("nothing left to check by destination").isEqualTo(404);

        Response again = api.post("/v1/privacy/erasure", key, Map.of("to", to));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("erased").get("verifications").asInt()).as("idempotent").isZero();

        List<JsonNode> recorded = erasuresRecorded(app.id());
        assertThat(recorded).hasSize(2);
        assertThat(recorded.get(0).get("target_id").asString()).isEqualTo(recorded.get(1).get("target_id").asString())
                .hasSize(74).doesNotContain(to.substring(2));
        assertThat(recorded.get(0).get("actor").asString()).as("the key that asked").startsWith("key_");
        assertThat(recorded).anyMatch(row -> row.get("details").get("verifications").asInt() == 2);
        assertThat(recorded.toString()).doesNotContain(to).doesNotContain(to.substring(2));
    }

    /** The audit trail's {@code privacy.erased} rows, of one app or ({@code null}) instance-wide. */
    List<JsonNode> erasuresRecorded(String appId) {
        Response page = api.get("/v1/audit-events?action=privacy.erased&limit=100", ADMIN_KEY);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        List<JsonNode> rows = new ArrayList<>();
        page.json().get("events").forEach(row -> {
            JsonNode rowApp = row.get("app_id");
            String rowAppId = rowApp == null || rowApp.isNull() ? null : rowApp.asString();
            if (java.util.Objects.equals(appId, rowAppId)) {
                rows.add(row);
            }
        });
        return rows;
    }

    @Test
    void erasureWhenAnAdminAsksThenEveryAppAndTheDevInboxHoldNoTraceOfTheDestination_S43() {
        String to = TestApps.newPhone();
        TestApp other = fixtures.app();
        String first = verification(app.key(), to, "198.51.100.61", "ErasureAgent/admin", true);
        String second = verification(other.key(), to, "198.51.100.61", "ErasureAgent/admin", true);
        Map<String, byte[]> traces = traces(to, List.of(first, second), "198.51.100.61", "ErasureAgent/admin");
        assertThat(fixtures.messagesTo(to)).isNotEmpty();

        Response erased = api.post("/v1/privacy/erasure", ADMIN_KEY, Map.of("to", to));
        assertThat(erased.status()).as(erased.body()).isEqualTo(200);
        assertThat(erased.text("scope")).isEqualTo("instance");
        assertThat(erased.json().get("erased").get("verifications").asInt()).isEqualTo(2);
        assertThat(erased.json().get("erased").get("dev_inbox_messages").asInt()).isEqualTo(2);
        assertThat(erased.json().get("erased").get("idempotency_records").asInt()).isZero();
        assertThat(DatabaseSearch.find(jdbc, traces)).isEmpty();
        assertThat(erasuresRecorded(null)).anyMatch(row -> row.get("actor") != null && !row.get("actor").isNull());
    }

    @Test
    void exportWhenAskedThenEveryRecordIsReturnedInTheDocumentedSchemaWithoutCodes_S45() {
        String to = TestApps.newPhone();
        String id = verification(app.key(), to, "198.51.100.71", "ExportAgent/1", true);
        String code = fixtures.messagesTo(to).getFirst().replaceAll("\\D+", " ").strip().split(" ")[0];

        Response exported = api.post("/v1/privacy/export", key, Map.of("to", to.substring(0, 2) + " " + to.substring(2)));
        assertThat(exported.status()).as(exported.body()).isEqualTo(200);
        assertThat(exported.text("$schema")).isEqualTo("https://otpgate.dev/schemas/privacy-export/1");
        assertThat(exported.text("scope")).isEqualTo("app");
        assertThat(exported.json().get("subject").get("masked").asString()).endsWith(to.substring(to.length() - 2));
        JsonNode verification = exported.json().get("verifications").get(0);
        assertThat(verification.get("id").asString()).isEqualTo(id);
        assertThat(verification.get("to_masked").asString()).contains("•").endsWith(to.substring(to.length() - 2));
        assertThat(verification.get("status").asString()).isEqualTo("approved");
        assertThat(verification.get("transaction").get("payee").asString()).isEqualTo("Privacy Test Ltd");
        assertThat(verification.get("delivery_steps").get(0).get("status").asString()).isNotBlank();
        assertThat(fixtures.messagesTo(to)).isNotEmpty();
        assertThat(exported.json().get("dev_inbox_messages")).as("an app key does not reach the dev inbox").isEmpty();
        assertThat(exported.body()).doesNotContain(code).doesNotContain("code_hash").doesNotContain("\"body\"")
                .as("destinations masked, as in every answer after a start (S-45)").doesNotContain(to).doesNotContain(to.substring(2));

        Response admin = api.post("/v1/privacy/export", ADMIN_KEY, Map.of("to", to));
        assertThat(admin.text("scope")).isEqualTo("instance");
        assertThat(admin.json().get("dev_inbox_messages").size()).isEqualTo(1);
        assertThat(admin.body()).doesNotContain(code);
    }

    @Test
    void erasureWhenAskedForATotpAccountThenItsFactorsGoAndTheExportShowsNone_S43() {
        String totpKey = fixtures.key(app.id(), List.of("totp:manage", "privacy:manage"));
        Response enrolled = api.post("/v1/totp-factors", totpKey, Map.of("account", "erase-me@example.com"));
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        Response exported = api.post("/v1/privacy/export", totpKey, Map.of("account", "erase-me@example.com"));
        assertThat(exported.json().get("totp_factors").get(0).get("account").asString()).isEqualTo("erase-me@example.com");
        assertThat(exported.body()).doesNotContain(enrolled.text("secret")).doesNotContain("seed");

        Response erased = api.post("/v1/privacy/erasure", totpKey, Map.of("account", "erase-me@example.com"));
        assertThat(erased.json().get("erased").get("totp_factors").asInt()).isEqualTo(1);
        assertThat(DatabaseSearch.find(jdbc, Map.of("account", "erase-me@example.com".getBytes(StandardCharsets.UTF_8)))).isEmpty();
        assertThat(api.post("/v1/privacy/export", totpKey, Map.of("account", "erase-me@example.com"))
                .json().get("totp_factors")).isEmpty();
    }

    @Test
    void privacyWhenTheKeyLacksTheScopeOrTheBodyIsWrongThenAProblemAnswers_S31() {
        Response noScope = api.post("/v1/privacy/erasure", app.key(), Map.of("to", TestApps.newPhone()));
        assertThat(noScope.status()).isEqualTo(403);
        assertThat(noScope.header("Content-Type")).startsWith("application/problem+json");
        Response neither = api.post("/v1/privacy/export", key, Map.of());
        assertThat(neither.status()).isEqualTo(400);
        Response both = api.post("/v1/privacy/erasure", key, Map.of("to", TestApps.newPhone(), "account", "a"));
        assertThat(both.status()).isEqualTo(400);
        Response badPhone = api.post("/v1/privacy/erasure", key, Map.of("to", "+1 555 not a number"));
        assertThat(badPhone.status()).isEqualTo(400);
        assertThat(badPhone.body()).doesNotContain("not a number");
    }

    @Test
    void lookupsWhenPersonalDataIsInTheUrlThenTheyAreRefusedWithAProblem_S50() {
        String to = TestApps.newPhone();
        Response inbox = api.get("/v1/dev/messages?to=" + java.net.URLEncoder.encode(to, StandardCharsets.UTF_8), ADMIN_KEY);
        assertThat(inbox.status()).isEqualTo(400);
        assertThat(inbox.body()).contains("personal-data-in-url").contains("/v1/dev/messages/search").doesNotContain(to.substring(2));
        String totpKey = fixtures.key(app.id(), List.of("totp:manage"));
        Response factors = api.get("/v1/totp-factors?account=someone%40example.com", totpKey);
        assertThat(factors.status()).isEqualTo(400);
        assertThat(factors.body()).contains("personal-data-in-url").doesNotContain("someone");
        assertThat(api.get("/v1/dev/messages?limit=5", ADMIN_KEY).status()).isEqualTo(200);
    }

    private long counted(String appId) {
        return jdbc.sql("select coalesce(sum(total), 0) from verification_daily_counts where app_id = ?")
                .param(appId).query(Long.class).single();
    }
}
