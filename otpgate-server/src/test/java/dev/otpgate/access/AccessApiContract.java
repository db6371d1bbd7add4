package dev.otpgate.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.otpgate.fraud.StatementCounter;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.AuditRows;
import dev.otpgate.support.Concurrently;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/**
 * Admin keys, rotation with a grace period and the credential cache, over real HTTPS. Subclasses run it on H2 and
 * on PostgreSQL. After each test the bootstrap key (the suite's {@code ADMIN_KEY}) is active again and every other
 * admin key revoked, so tests that revoke the bootstrap key leave the next one a known state.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "otpgate.api-keys.last-used-interval=1m",
                "spring.datasource.hikari.maximum-pool-size=8", "spring.datasource.hikari.minimum-idle=1"})
@Import(StatementCounter.class)
// No other suite shares this context: close it (and its connections to the shared PostgreSQL) when done.
@DirtiesContext
abstract class AccessApiContract extends ServerTestSupport {

    private static final String ADMIN_KEYS = "/v1/admin/api-keys";

    @Autowired
    KeyUsage usage;

    @Autowired
    BootstrapAdminKey bootstrap;

    @Autowired
    ApiKeyService keyService;

    @AfterEach
    void restoreTheBootstrapKey() {
        jdbc.sql("update api_keys set revoked_at = null, replaced_by = null, expires_at = null where bootstrap = true").update();
        jdbc.sql("update api_keys set revoked_at = current_timestamp where app_id is null and bootstrap is null "
                + "and revoked_at is null").update();
        api.get("/v1/apps", ADMIN_KEY);
    }

    private Response createAdminKey(Map<String, Object> body) {
        return api.post(ADMIN_KEYS, ADMIN_KEY, body);
    }

    private String adminKey() {
        Response created = createAdminKey(Map.of("name", "ops"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.text("secret");
    }

    private JsonNode listed(String collection, String id) {
        for (JsonNode key : api.get(collection, ADMIN_KEY).json().get("api_keys")) {
            if (key.get("id").asString().equals(id)) {
                return key;
            }
        }
        throw new AssertionError(id + " not listed in " + collection);
    }

    private String bootstrapKeyId() {
        return jdbc.sql("select id from api_keys where bootstrap = true").query(String.class).single();
    }

    private static void assertProblem(Response response, int status, String slug) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.text("type")).isEqualTo("https://otpgate.dev/problems/" + slug);
    }

    @Test
    void adminKeyWhenCreatedListedAndRevokedThenWorksUntilRevokedAndItsSecretIsShownOnce_S24_S45() {
        Response created = createAdminKey(Map.of("name", "deploy robot"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.text("id");
        String secret = created.text("secret");
        assertThat(created.header("Location")).isEqualTo(ADMIN_KEYS + "/" + id);
        assertThat(created.json().get("scopes").get(0).asString()).isEqualTo("admin");
        assertThat(created.json().has("app_id")).isFalse();
        assertThat(ApiKeySecrets.wellFormed(secret)).isTrue();

        assertThat(api.get("/v1/apps", secret).status()).isEqualTo(200);
        Response list = api.get(ADMIN_KEYS, secret);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(secret).doesNotContain(ADMIN_KEY).doesNotContain("\"secret\"");
        JsonNode listedKey = listed(ADMIN_KEYS, id);
        assertThat(listedKey.get("name").asString()).isEqualTo("deploy robot");
        assertThat(listedKey.get("hint").asString()).isEqualTo(ApiKeySecrets.hint(secret));
        assertThat(listed(ADMIN_KEYS, bootstrapKeyId()).get("bootstrap").asBoolean()).isTrue();

        assertThat(api.delete(ADMIN_KEYS + "/" + id, ADMIN_KEY).status()).isEqualTo(204);
        Response refused = api.get("/v1/apps", secret);
        assertProblem(refused, 401, "unauthenticated");
        assertThat(refused.header("WWW-Authenticate")).contains("invalid_token");
        assertThat(listed(ADMIN_KEYS, id).get("revoked_at").isNull()).isFalse();
        assertThat(api.delete(ADMIN_KEYS + "/" + id, ADMIN_KEY).status()).as("revoking twice").isEqualTo(204);
    }

    @Test
    void adminKeyWhenTheRequestIsBadThenProblemsAndNothingIsCreated() {
        int before = jdbc.sql("select count(*) from api_keys").query(Integer.class).single();
        assertProblem(createAdminKey(Map.of("name", "x".repeat(101))), 400, "invalid-request");
        assertProblem(createAdminKey(Map.of("name", "a\u0007b")), 400, "invalid-request");
        assertProblem(createAdminKey(Map.of("name", "ops", "expires_at", clock.instant().minusSeconds(1).toString())),
                400, "invalid-request");
        assertProblem(createAdminKey(Map.of("name", "ops", "scopes", List.of("admin"))), 400, "invalid-request");
        assertProblem(createAdminKey(Map.of("name", 5)), 400, "invalid-request");
        assertProblem(api.delete(ADMIN_KEYS + "/key_doesnotexist", ADMIN_KEY), 404, "not-found");
        assertProblem(api.post(ADMIN_KEYS + "/key_doesnotexist/rotate", ADMIN_KEY, Map.of()), 404, "not-found");
        assertThat(jdbc.sql("select count(*) from api_keys").query(Integer.class).single()).isEqualTo(before);
    }

    @Test
    void adminKeyEndpointsWhenCalledWithAnAppKeyOrNoneThenRefused_S31() {
        TestApp app = fixtures.app();
        String everything = fixtures.key(app.id(), List.of("verifications:start", "verifications:check",
                "totp:manage", "totp:check", "fraud:manage", "audit:read"));
        assertProblem(api.get(ADMIN_KEYS, everything), 403, "forbidden");
        assertProblem(api.post(ADMIN_KEYS, everything, Map.of("name", "escalate")), 403, "forbidden");
        assertProblem(api.post(ADMIN_KEYS + "/" + bootstrapKeyId() + "/rotate", everything, Map.of()), 403, "forbidden");
        assertProblem(api.delete(ADMIN_KEYS + "/" + bootstrapKeyId(), everything), 403, "forbidden");
        assertProblem(api.get(ADMIN_KEYS, null), 401, "unauthenticated");
        // An app key is never rotated or revoked through the admin path, nor an admin key through an app's.
        String appKeyId = api.get("/v1/apps/" + app.id() + "/api-keys", ADMIN_KEY).json().get("api_keys").get(0)
                .get("id").asString();
        assertProblem(api.post(ADMIN_KEYS + "/" + appKeyId + "/rotate", ADMIN_KEY, Map.of()), 404, "not-found");
        assertProblem(api.delete(ADMIN_KEYS + "/" + appKeyId, ADMIN_KEY), 404, "not-found");
        assertProblem(api.post("/v1/apps/" + app.id() + "/api-keys/" + bootstrapKeyId() + "/rotate", ADMIN_KEY, Map.of()),
                404, "not-found");
        assertProblem(api.delete("/v1/apps/" + app.id() + "/api-keys/" + bootstrapKeyId(), ADMIN_KEY), 404, "not-found");
        assertThat(api.get("/v1/apps", ADMIN_KEY).status()).isEqualTo(200);
    }

    @Test
    void revokeWhenItIsTheLastActiveAdminKeyThenConflictAndTheKeyKeepsWorking() {
        String ops = adminKey();
        assertThat(api.delete(ADMIN_KEYS + "/" + bootstrapKeyId(), ops).status()).isEqualTo(204);
        assertProblem(api.get("/v1/apps", ADMIN_KEY), 401, "unauthenticated");
        String opsId = api.get(ADMIN_KEYS, ops).json().get("api_keys").valueStream()
                .filter(key -> key.get("revoked_at") == null).findFirst().orElseThrow().get("id").asString();

        Response last = api.delete(ADMIN_KEYS + "/" + opsId, ops);
        assertProblem(last, 409, "last-admin-key");
        assertThat(api.get("/v1/apps", ops).status()).isEqualTo(200);
    }

    @Test
    void revokeWhenTwoRequestsRevokeTheLastTwoAdminKeysAtOnceThenExactlyOneSucceeds() throws Exception {
        for (int round = 0; round < 8; round++) {
            restoreTheBootstrapKey();
            String ops = adminKey();
            String opsId = jdbc.sql("select id from api_keys where app_id is null and revoked_at is null and bootstrap is null")
                    .query(String.class).single();
            String bootstrapId = bootstrapKeyId();
            // Each key revokes the other: both alone would be fine, together they would leave no admin key.
            List<Integer> statuses = Concurrently.run(2, i -> i == 0
                    ? api.delete(ADMIN_KEYS + "/" + opsId, ADMIN_KEY).status()
                    : api.delete(ADMIN_KEYS + "/" + bootstrapId, ops).status());
            assertThat(statuses).as("round %d", round).containsOnlyOnce(204);
            assertThat(statuses).as("round %d", round).allMatch(status -> status == 204 || status == 409 || status == 401);
            int active = jdbc.sql("select count(*) from api_keys where app_id is null and revoked_at is null")
                    .query(Integer.class).single();
            assertThat(active).as("round %d", round).isEqualTo(1);
        }
    }

    @Test
    void rotateWhenGivenAGracePeriodThenTheOldSecretWorksUntilItsEndThenAnswers401() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        clock.fixAt(now);
        TestApp app = fixtures.app();
        String oldId = api.get("/v1/apps/" + app.id() + "/api-keys", ADMIN_KEY).json().get("api_keys").get(0)
                .get("id").asString();
        assertThat(api.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);

        Response rotated = api.post("/v1/apps/" + app.id() + "/api-keys/" + oldId + "/rotate", ADMIN_KEY,
                Map.of("grace_seconds", 3600));
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
        String newSecret = rotated.text("secret");
        assertThat(rotated.text("id")).isNotEqualTo(oldId);
        assertThat(rotated.header("Location")).isEqualTo("/v1/apps/" + app.id() + "/api-keys/" + rotated.text("id"));
        assertThat(rotated.text("name")).isEqualTo("test");
        assertThat(rotated.json().get("scopes").valueStream().map(JsonNode::asString).toList())
                .containsExactly("verifications:check", "verifications:start");
        assertThat(rotated.json().has("expires_at")).isFalse();
        assertThat(newSecret).isNotEqualTo(app.key());

        JsonNode old = listed("/v1/apps/" + app.id() + "/api-keys", oldId);
        assertThat(Instant.parse(old.get("expires_at").asString())).isEqualTo(now.plusSeconds(3600));
        assertThat(old.get("replaced_by").asString()).isEqualTo(rotated.text("id"));
        assertThat(api.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);
        assertThat(api.get("/v1/fraud/blocks", newSecret).status()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(3599));
        assertThat(api.get("/v1/fraud/blocks", app.key()).status()).as("within the grace period").isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertProblem(api.get("/v1/fraud/blocks", app.key()), 401, "unauthenticated");
        assertThat(api.get("/v1/fraud/blocks", newSecret).status()).isEqualTo(200);
        assertProblem(api.post("/v1/apps/" + app.id() + "/api-keys/" + oldId + "/rotate", ADMIN_KEY, Map.of()),
                409, "key-rotated");
    }

    @Test
    void rotateWhenGraceIsZeroThenTheOldSecretIsRefusedAtOnceAndCannotBeRotatedAgain() {
        TestApp app = fixtures.app();
        String keys = "/v1/apps/" + app.id() + "/api-keys";
        String oldId = api.get(keys, ADMIN_KEY).json().get("api_keys").get(0).get("id").asString();
        assertThat(api.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);

        Response rotated = api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY, Map.of("grace_seconds", 0));
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
        assertProblem(api.get("/v1/fraud/blocks", app.key()), 401, "unauthenticated");
        assertThat(api.get("/v1/fraud/blocks", rotated.text("secret")).status()).isEqualTo(200);
        assertThat(listed(keys, oldId).get("revoked_at").isNull()).isFalse();
        assertProblem(api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY, Map.of()), 409, "key-revoked");
        int before = jdbc.sql("select count(*) from api_keys").query(Integer.class).single();
        assertProblem(api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY, Map.of("grace_seconds", 10)), 409, "key-revoked");

        String newId = rotated.text("id");
        assertProblem(api.post(keys + "/" + newId + "/rotate", ADMIN_KEY, Map.of("grace_seconds", -1)), 400, "invalid-request");
        assertProblem(api.post(keys + "/" + newId + "/rotate", ADMIN_KEY, Map.of("grace_seconds", 604801)), 400, "invalid-request");
        assertProblem(api.post(keys + "/" + newId + "/rotate", ADMIN_KEY, Map.of("grace_seconds", "60")), 400, "invalid-request");
        assertProblem(api.post(keys + "/" + newId + "/rotate", ADMIN_KEY, Map.of("grace", 60)), 400, "invalid-request");
        assertThat(jdbc.sql("select count(*) from api_keys").query(Integer.class).single()).isEqualTo(before);
        assertThat(api.get("/v1/fraud/blocks", rotated.text("secret")).status()).isEqualTo(200);
    }

    @Test
    void rotateWhenTheKeyExpiresThenTheNewKeyGetsTheSameLifetimeAndTheGraceNeverOutlivesTheOldExpiry() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        clock.fixAt(now);
        TestApp app = fixtures.app();
        String keys = "/v1/apps/" + app.id() + "/api-keys";
        Response created = api.post(keys, ADMIN_KEY, Map.of("name", "ci", "scopes", List.of("totp:check"),
                "expires_at", now.plus(Duration.ofDays(30)).toString()));
        assertThat(created.status()).isEqualTo(201);
        clock.advance(Duration.ofDays(29).plusHours(23));

        Response rotated = api.post(keys + "/" + created.text("id") + "/rotate", ADMIN_KEY, null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
        assertThat(Instant.parse(rotated.text("expires_at")))
                .isEqualTo(now.plus(Duration.ofDays(29).plusHours(23)).plus(Duration.ofDays(30)));
        assertThat(rotated.json().get("scopes").get(0).asString()).isEqualTo("totp:check");
        // The default grace (a day) would outlive the old key's own expiry, an hour away: the expiry stays.
        assertThat(Instant.parse(listed(keys, created.text("id")).get("expires_at").asString()))
                .isEqualTo(now.plus(Duration.ofDays(30)));

        Response plain = api.post(keys, ADMIN_KEY, Map.of("name", "plain"));
        Response defaultGrace = api.post(keys + "/" + plain.text("id") + "/rotate", ADMIN_KEY, null);
        assertThat(defaultGrace.status()).isEqualTo(201);
        assertThat(Instant.parse(listed(keys, plain.text("id")).get("expires_at").asString()))
                .isEqualTo(clock.instant().plus(Duration.ofDays(1)));

        clock.advance(Duration.ofDays(1));
        assertProblem(api.post(keys + "/" + created.text("id") + "/rotate", ADMIN_KEY, Map.of()), 409, "key-rotated");

        Response shortLived = api.post(keys, ADMIN_KEY, Map.of("name", "short",
                "expires_at", clock.instant().plus(Duration.ofHours(1)).toString()));
        clock.advance(Duration.ofHours(1));
        assertProblem(api.post(keys + "/" + shortLived.text("id") + "/rotate", ADMIN_KEY, Map.of()), 409, "key-expired");
    }

    @Test
    void rotateWhenTwoRotationsOfOneKeyRaceThenOneMakesANewKeyAndTheOtherIsRefused() throws Exception {
        TestApp app = fixtures.app();
        String keys = "/v1/apps/" + app.id() + "/api-keys";
        String oldId = api.get(keys, ADMIN_KEY).json().get("api_keys").get(0).get("id").asString();
        List<Response> answers = Concurrently.run(4, i -> api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY,
                Map.of("grace_seconds", 30)));
        assertThat(answers).extracting(Response::status).containsOnlyOnce(201).containsOnly(201, 409);
        assertThat(api.get(keys, ADMIN_KEY).json().get("api_keys")).hasSize(2);
    }

    @Test
    void rotateWhenTheKeyIsTheBootstrapAdminKeyThenTheNewAdminKeyWorksAndTheOldOneUntilTheGraceEnds() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        clock.fixAt(now);
        Response rotated = api.post(ADMIN_KEYS + "/" + bootstrapKeyId() + "/rotate", ADMIN_KEY, Map.of("grace_seconds", 60));
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
        assertThat(rotated.text("name")).isEqualTo("bootstrap admin");
        assertThat(rotated.json().has("bootstrap")).isFalse();
        String newAdmin = rotated.text("secret");
        assertThat(api.get("/v1/apps", newAdmin).status()).isEqualTo(200);
        assertThat(api.get("/v1/apps", ADMIN_KEY).status()).isEqualTo(200);
        assertThat(Instant.parse(listed(ADMIN_KEYS, bootstrapKeyId()).get("expires_at").asString()))
                .isEqualTo(now.plusSeconds(60));
        clock.advance(Duration.ofSeconds(60));
        assertProblem(api.get("/v1/apps", ADMIN_KEY), 401, "unauthenticated");
        assertThat(api.get(ADMIN_KEYS, newAdmin).status()).isEqualTo(200);
        // The replaced key no longer counts as active: its replacement is the last admin key.
        assertProblem(api.delete(ADMIN_KEYS + "/" + rotated.text("id"), newAdmin), 409, "last-admin-key");
    }

    @Test
    void authenticateWhenAKeyIsUsedRepeatedlyThenNoLookupAndNoWritePerRequestAndLastUsedIsRecordedOnce() {
        TestApp app = fixtures.app();
        String keys = "/v1/apps/" + app.id() + "/api-keys";
        assertThat(api.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);
        usage.flush();
        StatementCounter.EXECUTED.clear();
        for (int i = 0; i < 20; i++) {
            assertThat(api.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);
        }
        List<StatementCounter.Executed> executed = List.copyOf(StatementCounter.EXECUTED);
        assertThat(executed).noneMatch(e -> e.sql().contains("secret_hash"));
        assertThat(executed).noneMatch(e -> e.sql().contains("last_used_at"));

        long self = Thread.currentThread().threadId();
        usage.flush();
        List<StatementCounter.Executed> writes = StatementCounter.EXECUTED.stream()
                .filter(e -> e.threadId() == self && e.sql().contains("last_used_at")).toList();
        assertThat(writes).hasSize(1);
        JsonNode listedKey = api.get(keys, ADMIN_KEY).json().get("api_keys").get(0);
        Instant lastUsed = Instant.parse(listedKey.get("last_used_at").asString());
        assertThat(lastUsed).isBetween(Instant.now().minusSeconds(30), Instant.now().plusSeconds(1));
        Instant stored = jdbc.sql("select last_used_at from api_keys where id = ?").param(listedKey.get("id").asString())
                .query(java.sql.Timestamp.class).single().toInstant();
        assertThat(stored).isEqualTo(lastUsed);
    }

    @Test
    void callerWhenAuthenticatedThenAnswersItsOwnKeyAppAndScopesFromMemoryAndNeverASecret_S45() {
        TestApp app = fixtures.app();
        String secret = fixtures.key(app.id(), List.of("verifications:check", "verifications:start"));
        assertThat(api.get("/v1/caller", secret).status()).isEqualTo(200);
        StatementCounter.EXECUTED.clear();
        Response me = api.get("/v1/caller", secret);
        List<StatementCounter.Executed> executed = List.copyOf(StatementCounter.EXECUTED);

        assertThat(me.status()).as(me.body()).isEqualTo(200);
        assertThat(me.header("Content-Type")).startsWith("application/json");
        String keyId = null;
        for (JsonNode key : api.get("/v1/apps/" + app.id() + "/api-keys", ADMIN_KEY).json().get("api_keys")) {
            if (key.get("hint").asString().equals(ApiKeySecrets.hint(secret))) {
                keyId = key.get("id").asString();
            }
        }
        assertThat(me.text("key_id")).isEqualTo(keyId);
        assertThat(me.text("app_id")).isEqualTo(app.id());
        assertThat(me.json().get("scopes").toString()).isEqualTo("[\"verifications:check\",\"verifications:start\"]");
        assertThat(me.body()).doesNotContain(secret).doesNotContain("secret");
        assertThat(executed).as("a cached key reads nothing").noneMatch(e -> e.sql().contains("api_keys")
                || e.sql().contains("from apps"));

        Response admin = api.get("/v1/caller", ADMIN_KEY);
        assertThat(admin.status()).isEqualTo(200);
        assertThat(admin.text("key_id")).isEqualTo(bootstrapKeyId());
        assertThat(admin.json().has("app_id")).isFalse();
        assertThat(admin.json().get("scopes").toString()).isEqualTo("[\"admin\"]");
    }

    @Test
    void callerWhenTheCredentialIsMissingWrongOrRevokedThen401AndOtherMethodsAreRefused() {
        TestApp app = fixtures.app();
        assertProblem(api.get("/v1/caller", null), 401, "unauthenticated");
        assertProblem(api.get("/v1/caller", "otpg_" + "x".repeat(40)), 401, "unauthenticated");
        String keys = "/v1/apps/" + app.id() + "/api-keys";
        String keyId = api.get(keys, ADMIN_KEY).json().get("api_keys").get(0).get("id").asString();
        assertThat(api.get("/v1/caller", app.key()).status()).isEqualTo(200);
        assertThat(api.delete(keys + "/" + keyId, ADMIN_KEY).status()).isEqualTo(204);
        assertProblem(api.get("/v1/caller", app.key()), 401, "unauthenticated");
        assertProblem(api.post("/v1/caller", ADMIN_KEY, Map.of()), 403, "forbidden");
    }

    @Test
    void authenticateWhenAnAppIsDeletedThenItsCachedKeyIsRefusedAtOnce() {
        TestApp app = fixtures.app();
        assertThat(api.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);
        assertThat(api.delete("/v1/apps/" + app.id(), ADMIN_KEY).status()).isEqualTo(204);
        assertProblem(api.get("/v1/fraud/blocks", app.key()), 401, "unauthenticated");
    }

    @Test
    void responsesWhenKeysAreMadeAndRotatedThenNoBodyButTheCreatingOneHoldsASecret_S45() {
        TestApp app = fixtures.app();
        String keys = "/v1/apps/" + app.id() + "/api-keys";
        String oldId = api.get(keys, ADMIN_KEY).json().get("api_keys").get(0).get("id").asString();
        api.bodies().clear();
        Response rotated = api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY, Map.of("grace_seconds", 5));
        String admin = adminKey();
        Map<String, Object> problems = new HashMap<>();
        problems.put("rotate again", api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY, Map.of()).body());
        problems.put("list", api.get(keys, ADMIN_KEY).body());
        problems.put("admin list", api.get(ADMIN_KEYS, admin).body());
        for (Object body : problems.values()) {
            assertThat((String) body).doesNotContain(rotated.text("secret")).doesNotContain(admin)
                    .doesNotContain(app.key()).doesNotContain(ADMIN_KEY);
        }
        assertThat(api.bodies().stream().filter(body -> body.contains(rotated.text("secret")))).hasSize(1);
        assertThat(api.bodies().stream().filter(body -> body.contains(admin))).hasSize(1);
    }

    @Test
    void insertWhenASecondBootstrapKeyIsInsertedThenTheDatabaseRefusesIt() {
        assertThatThrownBy(() -> keyService.insert(null, "bootstrap admin", java.util.EnumSet.of(Scope.ADMIN), null,
                ApiKeySecrets.generate(), true)).isInstanceOf(DuplicateKeyException.class);
        assertThat(jdbc.sql("select count(*) from api_keys where bootstrap = true").query(Integer.class).single()).isEqualTo(1);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void startWhenTheBootstrapKeyFileOutlivesAnotherAdminKeyThenSaysOnceToDeleteIt(CapturedOutput output) throws Exception {
        adminKey();
        Path file = properties.dataDir().resolve("bootstrap-admin-key");
        Files.deleteIfExists(file);
        bootstrap.run(null);
        assertThat(occurrences(output.getAll())).as("no file, nothing to say").isZero();

        Files.writeString(file, ADMIN_KEY + "\n");
        try {
            bootstrap.run(null);
            assertThat(occurrences(output.getAll())).isEqualTo(1);
            assertThat(output.getAll()).contains(file.toString()).doesNotContain(ADMIN_KEY);
            assertThat(jdbc.sql("select count(*) from api_keys where bootstrap = true").query(Integer.class).single())
                    .as("a start with admin keys present makes none").isEqualTo(1);
        } finally {
            Files.delete(file);
        }
    }


    // The audit rows of key actions: one each, committed with the action, with nothing secret in them.

    @Test
    void auditWhenTheBootstrapKeyWasCreatedAtFirstStartThenOneRowBySystem_S44() {
        AuditRows.Row row = AuditRows.only(jdbc, "admin_key.created", bootstrapKeyId());
        assertThat(row.actor()).isEqualTo("system");
        assertThat(row.appId()).isNull();
        assertThat(row.details().get("bootstrap").asBoolean()).isTrue();
        assertThat(row.details().get("scopes").asString()).isEqualTo("admin");
        assertThat(row.detailNames()).containsExactly("bootstrap", "name", "scopes");
        assertThat(row.details().toString()).doesNotContain(ADMIN_KEY);
    }

    @Test
    void auditWhenAnAdminKeyIsCreatedRotatedAndRevokedThenEachLeavesOneRowWithActorAndNoSecret_S44_S45() {
        Instant expires = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
        Response created = createAdminKey(Map.of("name", "deploy robot", "expires_at", expires.toString()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.text("id");
        Response rotated = api.post(ADMIN_KEYS + "/" + id + "/rotate", ADMIN_KEY, Map.of("grace_seconds", 60));
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
        String newId = rotated.text("id");
        assertThat(api.delete(ADMIN_KEYS + "/" + newId, ADMIN_KEY).status()).isEqualTo(204);
        assertThat(api.delete(ADMIN_KEYS + "/" + newId, ADMIN_KEY).status()).as("revoking twice").isEqualTo(204);
        assertProblem(api.post(ADMIN_KEYS + "/" + id + "/rotate", ADMIN_KEY, Map.of()), 409, "key-rotated");

        String actor = AuditRows.adminActor(jdbc);
        AuditRows.Row creation = AuditRows.only(jdbc, "admin_key.created", id);
        assertThat(creation.actor()).isEqualTo(actor);
        assertThat(creation.clientAddress()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(creation.appId()).isNull();
        assertThat(creation.details().get("name").asString()).isEqualTo("deploy robot");
        assertThat(creation.details().get("scopes").asString()).isEqualTo("admin");
        assertThat(Instant.parse(creation.details().get("expires_at").asString())).isEqualTo(expires);
        assertThat(creation.detailNames()).containsExactly("expires_at", "name", "scopes");

        AuditRows.Row rotation = AuditRows.only(jdbc, "admin_key.rotated", id);
        assertThat(rotation.actor()).isEqualTo(actor);
        assertThat(rotation.details().get("new_key_id").asString()).isEqualTo(newId);
        assertThat(rotation.details().get("grace_seconds").asLong()).isEqualTo(60);
        assertThat(rotation.detailNames()).containsExactly("grace_seconds", "new_key_expires_at", "new_key_id",
                "old_key_expires_at");

        assertThat(AuditRows.only(jdbc, "admin_key.revoked", newId).actor()).isEqualTo(actor);
        assertThat(AuditRows.of(jdbc, "admin_key.revoked", id)).as("the rotated-out key was not revoked").isEmpty();
        assertThat(api.get("/v1/audit-events/export", ADMIN_KEY).body()).doesNotContain(created.text("secret"))
                .doesNotContain(rotated.text("secret")).doesNotContain(ADMIN_KEY);
    }

    @Test
    void auditWhenAnAppKeyIsRotatedThenOneRowWithTheOldAndNewKeyIdsAndTheGrace_S44_S45() {
        TestApp app = fixtures.app();
        String keys = "/v1/apps/" + app.id() + "/api-keys";
        String oldId = api.get(keys, ADMIN_KEY).json().get("api_keys").get(0).get("id").asString();
        Response rotated = api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY, Map.of("grace_seconds", 90));
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(201);
        assertProblem(api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY, Map.of()), 409, "key-rotated");

        AuditRows.Row row = AuditRows.only(jdbc, "api_key.rotated", oldId);
        assertThat(row.appId()).isEqualTo(app.id());
        assertThat(row.actor()).isEqualTo(AuditRows.adminActor(jdbc));
        assertThat(row.outcome()).isEqualTo("success");
        assertThat(row.details().get("new_key_id").asString()).isEqualTo(rotated.text("id"));
        assertThat(row.details().get("grace_seconds").asLong()).isEqualTo(90);
        assertThat(row.details().toString()).doesNotContain(rotated.text("secret")).doesNotContain(app.key())
                .doesNotContain(ApiKeySecrets.hint(rotated.text("secret")));
    }

    @Test
    void auditWhenTheRowCannotBeWrittenThenTheRotationAndTheCreationAreRolledBack() {
        TestApp app = fixtures.app();
        String keys = "/v1/apps/" + app.id() + "/api-keys";
        String oldId = api.get(keys, ADMIN_KEY).json().get("api_keys").get(0).get("id").asString();
        int before = jdbc.sql("select count(*) from api_keys").query(Integer.class).single();
        jdbc.sql("alter table audit_events rename to audit_events_away").update();
        try {
            Response rotation = api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY, Map.of("grace_seconds", 60));
            assertThat(rotation.status()).as(rotation.body()).isEqualTo(500);
            assertThat(rotation.body()).doesNotContainIgnoringCase("audit_events").doesNotContain("\"secret\"");
            Response creation = createAdminKey(Map.of("name", "unrecorded"));
            assertThat(creation.status()).as(creation.body()).isEqualTo(500);
        } finally {
            jdbc.sql("alter table audit_events_away rename to audit_events").update();
        }
        assertThat(jdbc.sql("select count(*) from api_keys").query(Integer.class).single()).isEqualTo(before);
        assertThat(jdbc.sql("select replaced_by from api_keys where id = ?").param(oldId).query(String.class).optional())
                .as("the old key was not marked").isEmpty();
        assertThat(api.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);
        assertThat(api.post(keys + "/" + oldId + "/rotate", ADMIN_KEY, Map.of()).status()).as("rotatable still")
                .isEqualTo(201);
    }

    private static int occurrences(String text) {
        String line = "still holds the bootstrap admin key";
        int n = 0;
        for (int at = text.indexOf(line); at >= 0; at = text.indexOf(line, at + 1)) {
            n++;
        }
        return n;
    }
}
