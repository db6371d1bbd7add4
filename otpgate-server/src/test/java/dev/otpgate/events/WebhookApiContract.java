package dev.otpgate.events;

import static dev.otpgate.events.WebhookReceiver.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.events.WebhookReceiver.Answer;
import dev.otpgate.fraud.StatementCounter;
import dev.otpgate.events.WebhookReceiver.Received;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.AuditRows;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Webhooks end to end over real HTTPS both ways: endpoints managed through the API, events caused through the
 * API, and a real HTTPS receiver ({@link WebhookReceiver}, at {@code hooks.example} = 127.0.0.3 through the
 * {@link ScriptedResolver}, trusted through the {@code hooks} SSL bundle). Signatures are checked with the npm
 * package {@code standardwebhooks}. Subclasses run it on H2 and on PostgreSQL.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s"})
@Import({WebhookTestConfiguration.class, StatementCounter.class})
abstract class WebhookApiContract extends ServerTestSupport {

    static final WebhookReceiver RECEIVER = receiver();
    static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void webhookProperties(DynamicPropertyRegistry registry) {
        registry.add("otpgate.webhooks.allowed-private-networks", () -> "127.0.0.3/32");
        registry.add("otpgate.webhooks.ssl-bundle", () -> "hooks");
        registry.add("spring.ssl.bundle.pem.hooks.truststore.certificate", () -> "file:" + RECEIVER.caPem());
        registry.add("otpgate.webhooks.timeout", () -> "2s");
        registry.add("otpgate.webhooks.poll-interval", () -> "200ms");
    }

    private static WebhookReceiver receiver() {
        try {
            return new WebhookReceiver(InetAddress.getByName("127.0.0.3"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void keepReceiver() {
        // One receiver serves every test class of this JVM; each test uses paths of its own.
    }

    @Autowired
    ScriptedResolver resolver;

    TestApp app;

    @BeforeEach
    void setUp() {
        resolver.answer(WebhookReceiver.HOST, "127.0.0.3");
        app = fixtures.app();
    }

    record Registered(String id, String secret, String path) {}

    static String newPath() {
        return "/hooks/" + UUID.randomUUID();
    }

    String url(String host, String path) {
        return "https://" + host + ":" + RECEIVER.port() + path;
    }

    Registered register(String path, List<String> events) {
        Response created = api.post("/v1/apps/" + app.id() + "/webhooks", ADMIN_KEY,
                Map.of("url", url(WebhookReceiver.HOST, path), "events", events, "description", "test receiver"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new Registered(created.text("id"), created.text("secret"), path);
    }

    String webhooks(Registered endpoint) {
        return "/v1/apps/" + app.id() + "/webhooks/" + endpoint.id();
    }

    List<Received> await(String path, int count) {
        waitUntil(() -> RECEIVER.at(path).size() >= count, Duration.ofSeconds(20), count + " requests at " + path + ", got "
                + RECEIVER.at(path).size());
        return RECEIVER.at(path);
    }

    /**
     * The first request of each of {@code count} distinct events: on a busy machine an attempt can time out after
     * the receiver got it, and the retry brings the same event again (at least once).
     */
    List<Received> awaitEvents(String path, int count) {
        waitUntil(() -> distinct(path).size() >= count, Duration.ofSeconds(20), count + " events at " + path);
        return distinct(path);
    }

    static List<Received> distinct(String path) {
        Map<String, Received> first = new java.util.LinkedHashMap<>();
        RECEIVER.at(path).forEach(r -> first.putIfAbsent(r.header("webhook-id"), r));
        return List.copyOf(first.values());
    }

    String test(Registered endpoint) {
        Response sent = api.post(webhooks(endpoint) + "/test", ADMIN_KEY, null);
        assertThat(sent.status()).as(sent.body()).isEqualTo(202);
        return sent.text("message_id");
    }

    JsonNode attempts(Registered endpoint) {
        Response list = api.get(webhooks(endpoint) + "/deliveries", ADMIN_KEY);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        return list.json().get("deliveries");
    }

    JsonNode awaitAttempts(Registered endpoint, int count) {
        waitUntil(() -> attempts(endpoint).size() >= count, Duration.ofSeconds(20), count + " attempts recorded");
        return attempts(endpoint);
    }

    static JsonNode json(Received request) {
        return JSON.readTree(request.body());
    }

    @Test
    void createWhenAnAdminRegistersThenAnIdAndAWhsecSecretShownOnlyOnce() {
        Registered endpoint = register(newPath(), List.of("verification.*"));
        assertThat(endpoint.id()).startsWith("wh_");
        assertThat(endpoint.secret()).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(endpoint.secret().substring(6)).length).isGreaterThanOrEqualTo(24);
        Response read = api.get(webhooks(endpoint), ADMIN_KEY);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text("url")).isEqualTo(url(WebhookReceiver.HOST, endpoint.path()));
        assertThat(read.json().get("enabled").asBoolean()).isTrue();
        Response list = api.get("/v1/apps/" + app.id() + "/webhooks", ADMIN_KEY);
        assertThat(list.json().get("webhooks")).hasSize(1);
        assertThat(read.body() + list.body()).doesNotContain(endpoint.secret()).doesNotContain("secret\"");
        String sealed = jdbc.sql("select secret from webhook_endpoints where id = ?").param(endpoint.id())
                .query(byte[].class).single().length + "";
        assertThat(sealed).isNotEmpty();
        assertThat(new String(jdbc.sql("select secret from webhook_endpoints where id = ?").param(endpoint.id())
                .query(byte[].class).single(), StandardCharsets.ISO_8859_1)).doesNotContain(endpoint.secret().substring(6));
    }

    @Test
    void manageWhenAnAppKeyHasWebhooksManageThenItsOwnAppOnlyAndWithoutTheScopeForbidden() {
        String manager = fixtures.key(app.id(), List.of("webhooks:manage"));
        Response created = api.post("/v1/apps/" + app.id() + "/webhooks", manager,
                Map.of("url", url(WebhookReceiver.HOST, newPath()), "events", List.of("*")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(api.get("/v1/apps/" + app.id() + "/webhooks", app.key()).status()).isEqualTo(403);
        TestApp other = fixtures.app();
        assertThat(api.get("/v1/apps/" + other.id() + "/webhooks", manager).status()).isEqualTo(404);
        assertThat(api.get("/v1/apps/" + other.id() + "/webhooks/" + created.text("id"), manager).status()).isEqualTo(404);
        assertThat(api.get("/v1/apps/" + other.id() + "/webhooks/" + created.text("id"), ADMIN_KEY).status()).isEqualTo(404);
        assertThat(api.get("/v1/apps/" + app.id() + "/webhooks/" + created.text("id"), manager).status()).isEqualTo(200);
        // Other admin paths stay closed to the key.
        assertThat(api.get("/v1/apps/" + app.id(), manager).status()).isEqualTo(403);
    }

    @Test
    void createWhenTheRequestIsMalformedThenProblem400() {
        String path = "/v1/apps/" + app.id() + "/webhooks";
        Response noUrl = api.post(path, ADMIN_KEY, Map.of("events", List.of("*")));
        assertThat(noUrl.status()).isEqualTo(400);
        assertThat(noUrl.header("Content-Type")).startsWith("application/problem+json");
        Response unknownEvent = api.post(path, ADMIN_KEY, Map.of("url", url(WebhookReceiver.HOST, "/x"),
                "events", List.of("verification.exploded")));
        assertThat(unknownEvent.status()).isEqualTo(400);
        assertThat(unknownEvent.body()).contains("unknown event type");
        assertThat(api.post(path, ADMIN_KEY, Map.of("url", url(WebhookReceiver.HOST, "/x"), "events", List.of()))
                .status()).isEqualTo(400);
        assertThat(api.post(path, ADMIN_KEY, Map.of("url", url(WebhookReceiver.HOST, "/x"), "events", List.of("*"),
                "colour", "red")).status()).isEqualTo(400);
        assertThat(api.post("/v1/apps/app_doesnotexist/webhooks", ADMIN_KEY,
                Map.of("url", url(WebhookReceiver.HOST, "/x"), "events", List.of("*"))).status()).isEqualTo(404);
    }

    @Test
    void createWhenTheHostIsOrResolvesToARefusedAddressThen400NamingTheRule_SSRF() {
        resolver.answer("loopback.example", "127.0.0.1");
        resolver.answer("private.example", "10.0.0.7");
        resolver.answer("linklocal.example", "169.254.10.10");
        resolver.answer("metadata.example", "169.254.169.254");
        resolver.answer("multicast.example", "224.0.0.251");
        resolver.answer("ula.example", "fd00::1234");
        resolver.answer("zero.example", "0.0.0.0");
        resolver.answer("mixed.example", "127.0.0.3", "192.168.0.10");
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("http://hooks.example/plain", "scheme");
        refused.put("https://user:pass@hooks.example/x", "credentials");
        refused.put("https://loopback.example/x", "loopback");
        refused.put("https://127.0.0.1/x", "loopback");
        refused.put("https://[::1]/x", "loopback");
        refused.put("https://private.example/x", "private");
        refused.put("https://linklocal.example/x", "link-local");
        refused.put("https://metadata.example/x", "cloud-metadata");
        refused.put("https://169.254.169.254/latest/meta-data", "cloud-metadata");
        refused.put("https://multicast.example/x", "multicast");
        refused.put("https://ula.example/x", "unique-local");
        refused.put("https://zero.example/x", "this-network");
        refused.put("https://mixed.example/x", "private");
        refused.put("https://nonexistent.invalid/x", "unresolvable");
        refused.forEach((url, rule) -> {
            Response answer = api.post("/v1/apps/" + app.id() + "/webhooks", ADMIN_KEY, Map.of("url", url, "events", List.of("*")));
            assertThat(answer.status()).as(url + " " + answer.body()).isEqualTo(400);
            assertThat(answer.text("rule")).as(url).isEqualTo(rule);
            assertThat(answer.text("type")).isEqualTo("https://otpgate.dev/problems/webhook-url-refused");
            assertThat(answer.text("detail")).contains(rule);
        });
        assertThat(api.get("/v1/apps/" + app.id() + "/webhooks", ADMIN_KEY).json().get("webhooks")).isEmpty();
        // A change of URL is checked the same way.
        Registered endpoint = register(newPath(), List.of("*"));
        Response patched = api.patch(webhooks(endpoint), ADMIN_KEY, Map.of("url", "https://loopback.example/x"));
        assertThat(patched.status()).isEqualTo(400);
        assertThat(patched.text("rule")).isEqualTo("loopback");
    }

    @Test
    void verificationWhenStartedAndApprovedThenBothEventsArriveSignedAsStandardWebhooksAndVerifiedByNode() throws Exception {
        Registered endpoint = register(newPath(), List.of("verification.*"));
        String to = TestApps.newPhone();
        String id = fixtures.start(app, to);
        String code = fixtures.codeFor(to);
        assertThat(api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code)).status()).isEqualTo(200);
        List<Received> received = awaitEvents(endpoint.path(), 2);
        assertThat(received).extracting(r -> json(r).get("type").asString())
                .containsExactlyInAnyOrder("verification.started", "verification.approved");
        try (NodeVerifier node = new NodeVerifier()) {
            for (Received request : received) {
                assertThat(request.header("webhook-id")).startsWith("msg_");
                assertThat(request.header("content-type")).isEqualTo("application/json");
                assertThat(node.verify(endpoint.secret(), request)).as(request.body()).isEqualTo("ok");
                String oneByteOff = request.body().replaceFirst("\"data\"", "\"dat4\"");
                assertThat(node.verify(endpoint.secret(), request.header("webhook-id"), request.header("webhook-timestamp"),
                        request.header("webhook-signature"), oneByteOff)).startsWith("fail");
                JsonNode data = json(request).get("data");
                assertThat(data.get("verification_id").asString()).isEqualTo(id);
                assertThat(data.get("app_id").asString()).isEqualTo(app.id());
                assertThat(data.get("channel").asString()).isEqualTo("sms");
                assertThat(data.get("country").asString()).isEqualTo("US");
                // Thin: no code and no whole number, anywhere in the body (S-45).
                assertThat(request.body()).doesNotContain(code).doesNotContain(to).doesNotContain(to.substring(1));
            }
        }
        assertThat(received).extracting(r -> r.header("webhook-id")).doesNotHaveDuplicates();
        Received approved = received.stream().filter(r -> json(r).get("type").asString().equals("verification.approved"))
                .findFirst().orElseThrow();
        assertThat(json(approved).get("data").get("status").asString()).isEqualTo("approved");
    }

    @Test
    void filterWhenAnEndpointSubscribesToDeliveryOnlyThenItGetsDeliverySentAndNoVerificationEvent() {
        Registered endpoint = register(newPath(), List.of("delivery.sent", "delivery.failed"));
        String to = TestApps.newPhone();
        String id = fixtures.start(app, to);
        fixtures.codeFor(to);
        List<Received> received = await(endpoint.path(), 1);
        JsonNode event = json(received.getFirst());
        assertThat(event.get("type").asString()).isEqualTo("delivery.sent");
        assertThat(event.get("data").get("verification_id").asString()).isEqualTo(id);
        assertThat(event.get("data").get("step").asInt()).isEqualTo(1);
        assertThat(event.get("data").get("provider").asString()).isNotBlank();
        assertThat(api.post("/v1/verifications/" + id + "/cancel", app.key(), null).status()).isLessThan(300);
        sleep(1000);
        assertThat(RECEIVER.at(endpoint.path())).hasSize(1);
    }

    @Test
    void retryWhenTheReceiverFailsThenTheSameWebhookIdIsSentAgainAfterTheScheduledDelayWithAFreshSignature() throws Exception {
        String path = newPath();
        RECEIVER.script(path, Answer.status(500));
        Registered endpoint = register(path, List.of("*"));
        String messageId = test(endpoint);
        Received first = await(path, 1).getFirst();
        awaitAttempts(endpoint, 1);
        sleep(500);
        assertThat(RECEIVER.at(path)).as("no retry before 5 s have passed").hasSize(1);
        clock.advance(Duration.ofSeconds(6));
        Received second = await(path, 2).get(1);
        assertThat(first.header("webhook-id")).isEqualTo(messageId).isEqualTo(second.header("webhook-id"));
        assertThat(Long.parseLong(second.header("webhook-timestamp")) - Long.parseLong(first.header("webhook-timestamp")))
                .isGreaterThanOrEqualTo(5);
        assertThat(second.header("webhook-signature")).isNotEqualTo(first.header("webhook-signature"));
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(json(second).get("type").asString()).isEqualTo("webhook.test");
        JsonNode attempts = awaitAttempts(endpoint, 2);
        assertThat(attempts.get(0).get("outcome").asString()).isEqualTo("succeeded");
        assertThat(attempts.get(0).get("response_code").asInt()).isEqualTo(204);
        assertThat(attempts.get(0).get("attempt").asInt()).isEqualTo(2);
        assertThat(attempts.get(1).get("outcome").asString()).isEqualTo("failed");
        assertThat(attempts.get(1).get("response_code").asInt()).isEqualTo(500);
        assertThat(attempts.get(1).get("message_id").asString()).isEqualTo(messageId);
        assertThat(attempts.get(0).has("latency_ms")).isTrue();
    }

    @Test
    void retryWhenTheReceiverAnswers429WithRetryAfterThenNoAttemptBeforeItAndOneAfter() {
        String path = newPath();
        RECEIVER.script(path, new Answer(429, Map.of("Retry-After", "120"), Duration.ZERO));
        Registered endpoint = register(path, List.of("*"));
        test(endpoint);
        await(path, 1);
        awaitAttempts(endpoint, 1);
        clock.advance(Duration.ofSeconds(60));
        sleep(1000);
        assertThat(RECEIVER.at(path)).as("the schedule's 5 s gave way to Retry-After: 120").hasSize(1);
        clock.advance(Duration.ofSeconds(61));
        await(path, 2);
        assertThat(awaitAttempts(endpoint, 2).get(1).get("response_code").asInt()).isEqualTo(429);
    }

    @Test
    void redirectWhenTheReceiverAnswers302ThenAFailureAndTheLocationIsNotFollowed() {
        String path = newPath();
        String elsewhere = newPath();
        RECEIVER.script(path, new Answer(302, Map.of("Location", url(WebhookReceiver.HOST, elsewhere)), Duration.ZERO));
        Registered endpoint = register(path, List.of("*"));
        test(endpoint);
        JsonNode attempt = awaitAttempts(endpoint, 1).get(0);
        assertThat(attempt.get("outcome").asString()).isEqualTo("failed");
        assertThat(attempt.get("response_code").asInt()).isEqualTo(302);
        assertThat(attempt.get("error").asString()).isEqualTo("redirect");
        sleep(500);
        assertThat(RECEIVER.at(elsewhere)).isEmpty();
    }

    @Test
    void timeoutWhenTheReceiverIsSlowerThanTheTimeoutThenAFailureAndARetry() {
        String path = newPath();
        RECEIVER.script(path, new Answer(200, Map.of(), Duration.ofSeconds(4)));
        Registered endpoint = register(path, List.of("*"));
        test(endpoint);
        JsonNode attempt = awaitAttempts(endpoint, 1).get(0);
        assertThat(attempt.get("outcome").asString()).isEqualTo("failed");
        assertThat(attempt.get("error").asString()).isEqualTo("timeout");
        assertThat(attempt.get("latency_ms").asLong()).isBetween(1500L, 3500L);
        clock.advance(Duration.ofSeconds(6));
        assertThat(awaitAttempts(endpoint, 2).get(0).get("outcome").asString()).isEqualTo("succeeded");
    }

    @Test
    void goneWhenTheReceiverAnswers410ThenTheEndpointIsDisabledAndAnEventSaysSo() {
        String path = newPath();
        RECEIVER.script(path, Answer.status(410));
        Registered endpoint = register(path, List.of("*"));
        test(endpoint);
        waitUntil(() -> !api.get(webhooks(endpoint), ADMIN_KEY).json().get("enabled").asBoolean(), Duration.ofSeconds(20),
                "the endpoint disabled");
        assertThat(api.get(webhooks(endpoint), ADMIN_KEY).text("disabled_reason")).isEqualTo("gone");
        assertThat(events.of(WebhookEndpointDisabled.class)).filteredOn(e -> e.endpointId().equals(endpoint.id()))
                .singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("gone"));
        assertThat(api.post(webhooks(endpoint) + "/test", ADMIN_KEY, null).status()).isEqualTo(409);
        fixtures.start(app, TestApps.newPhone());
        clock.advance(Duration.ofSeconds(10));
        sleep(800);
        assertThat(RECEIVER.at(path)).hasSize(1);
        // Switched on again by its owner, it receives events again.
        assertThat(api.patch(webhooks(endpoint), ADMIN_KEY, Map.of("enabled", true)).json().get("enabled").asBoolean()).isTrue();
        test(endpoint);
        waitUntil(() -> RECEIVER.at(path).size() >= 2, Duration.ofSeconds(20), "a delivery after re-enabling");
    }

    @Test
    void disableWhenEveryAttemptFailsForFiveDaysThenTheEndpointIsDisabledAndAnEventSaysSo() {
        String path = newPath();
        RECEIVER.answerByDefault(path, Answer.status(503));
        Registered endpoint = register(path, List.of("*"));
        test(endpoint);
        awaitAttempts(endpoint, 1);
        assertThat(api.get(webhooks(endpoint), ADMIN_KEY).text("failing_since")).isNotNull();
        clock.advance(Duration.ofDays(4));
        test(endpoint);
        waitUntil(() -> RECEIVER.at(path).size() >= 3, Duration.ofSeconds(20), "attempts on day 4");
        assertThat(api.get(webhooks(endpoint), ADMIN_KEY).json().get("enabled").asBoolean()).as("4 days: still on").isTrue();
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        test(endpoint);
        waitUntil(() -> !api.get(webhooks(endpoint), ADMIN_KEY).json().get("enabled").asBoolean(), Duration.ofSeconds(20),
                "the endpoint disabled after 5 days of failures");
        assertThat(api.get(webhooks(endpoint), ADMIN_KEY).text("disabled_reason")).isEqualTo("failing");
        assertThat(events.of(WebhookEndpointDisabled.class)).filteredOn(e -> e.endpointId().equals(endpoint.id()))
                .singleElement().satisfies(e -> assertThat(e.reason()).isEqualTo("failing"));
    }

    @Test
    void successWhenAFailingEndpointSucceedsThenItsFailingStreakEnds() {
        String path = newPath();
        RECEIVER.script(path, Answer.status(500));
        Registered endpoint = register(path, List.of("*"));
        test(endpoint);
        awaitAttempts(endpoint, 1);
        clock.advance(Duration.ofSeconds(6));
        awaitAttempts(endpoint, 2);
        waitUntil(() -> api.get(webhooks(endpoint), ADMIN_KEY).text("failing_since") == null, Duration.ofSeconds(10),
                "the failing streak reset");
    }

    @Test
    void rotateWhenTheSecretIsRotatedThenOldAndNewSignFor24HoursAndThenOnlyTheNew() throws Exception {
        Registered endpoint = register(newPath(), List.of("*"));
        Response rotated = api.post(webhooks(endpoint) + "/rotate-secret", ADMIN_KEY, null);
        assertThat(rotated.status()).isEqualTo(200);
        String newSecret = rotated.text("secret");
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(endpoint.secret());
        assertThat(Instant.parse(rotated.text("previous_secret_expires_at"))).isAfter(clock.instant().plus(Duration.ofHours(23)));
        test(endpoint);
        Received during = await(endpoint.path(), 1).getFirst();
        assertThat(during.header("webhook-signature").split(" ")).hasSize(2);
        try (NodeVerifier node = new NodeVerifier()) {
            assertThat(node.verify(endpoint.secret(), during)).isEqualTo("ok");
            assertThat(node.verify(newSecret, during)).isEqualTo("ok");
        }
        assertThat(api.get(webhooks(endpoint), ADMIN_KEY).body()).doesNotContain(newSecret);
        clock.advance(Duration.ofHours(25));
        test(endpoint);
        Received after = await(endpoint.path(), 2).get(1);
        String timestamp = after.header("webhook-timestamp");
        assertThat(after.header("webhook-signature")).isEqualTo(Signatures.sign(newSecret, after.header("webhook-id"),
                Long.parseLong(timestamp), after.body().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sendWhenTheNameResolvesToAPrivateAddressAfterRegistrationThenRefusedAtSendTimeAndNothingIsSent_SSRF() {
        String path = newPath();
        resolver.answer("rebind.example", "127.0.0.3");
        Response created = api.post("/v1/apps/" + app.id() + "/webhooks", ADMIN_KEY,
                Map.of("url", url("rebind.example", path), "events", List.of("*")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Registered endpoint = new Registered(created.text("id"), created.text("secret"), path);
        for (String[] rebound : new String[][] {{"127.0.0.1", "refused:loopback"}, {"10.1.1.1", "refused:private"},
                {"169.254.169.254", "refused:cloud-metadata"}}) {
            resolver.answer("rebind.example", rebound[0]);
            int before = attempts(endpoint).size();
            clock.advance(Duration.ofDays(1));
            if (before == 0) {
                test(endpoint);
            }
            JsonNode latest = awaitAttempts(endpoint, before + 1).get(0);
            assertThat(latest.get("error").asString()).isEqualTo(rebound[1]);
            assertThat(latest.has("response_code")).isFalse();
        }
        assertThat(RECEIVER.at(path)).isEmpty();
        resolver.answer("rebind.example", "127.0.0.3");
        clock.advance(Duration.ofDays(1));
        await(path, 1);
    }

    @Test
    void sendWhenTheCertificateIsNotForTheHostNameThenATlsFailure() {
        String path = newPath();
        resolver.answer("impostor.example", "127.0.0.3");
        Response created = api.post("/v1/apps/" + app.id() + "/webhooks", ADMIN_KEY,
                Map.of("url", url("impostor.example", path), "events", List.of("*")));
        Registered endpoint = new Registered(created.text("id"), created.text("secret"), path);
        test(endpoint);
        assertThat(awaitAttempts(endpoint, 1).get(0).get("error").asString()).isEqualTo("tls");
        assertThat(RECEIVER.at(path)).isEmpty();
    }

    @Test
    void replayWhenATimeRangeIsGivenThenItsEventsAreQueuedAgainWithTheirIds() {
        Registered endpoint = register(newPath(), List.of("verification.started"));
        Instant since = clock.instant().minusSeconds(1);
        fixtures.start(app, TestApps.newPhone());
        Received original = await(endpoint.path(), 1).getFirst();
        Response replayed = api.post(webhooks(endpoint) + "/replay", ADMIN_KEY,
                Map.of("since", since.toString(), "until", clock.instant().plusSeconds(1).toString()));
        assertThat(replayed.status()).as(replayed.body()).isEqualTo(202);
        assertThat(replayed.json().get("queued").asInt()).isEqualTo(1);
        Received again = await(endpoint.path(), 2).get(1);
        assertThat(again.header("webhook-id")).isEqualTo(original.header("webhook-id"));
        assertThat(again.body()).isEqualTo(original.body());
        Response empty = api.post(webhooks(endpoint) + "/replay", ADMIN_KEY,
                Map.of("since", since.minusSeconds(3600).toString(), "until", since.minusSeconds(1800).toString()));
        assertThat(empty.json().get("queued").asInt()).isZero();
        assertThat(api.post(webhooks(endpoint) + "/replay", ADMIN_KEY, Map.of("until", since.toString())).status())
                .isEqualTo(400);
    }

    @Test
    void patchAndDeleteWhenTheEndpointIsSwitchedOffOrDeletedThenNothingMoreIsSent() {
        Registered endpoint = register(newPath(), List.of("verification.started"));
        Response off = api.patch(webhooks(endpoint), ADMIN_KEY, Map.of("enabled", false, "events", List.of("*")));
        assertThat(off.status()).as(off.body()).isEqualTo(200);
        assertThat(off.json().get("enabled").asBoolean()).isFalse();
        assertThat(off.text("disabled_reason")).isEqualTo("owner");
        assertThat(off.json().get("events").get(0).asString()).isEqualTo("*");
        fixtures.start(app, TestApps.newPhone());
        sleep(1000);
        assertThat(RECEIVER.at(endpoint.path())).isEmpty();
        assertThat(api.delete(webhooks(endpoint), ADMIN_KEY).status()).isEqualTo(204);
        assertThat(api.get(webhooks(endpoint), ADMIN_KEY).status()).isEqualTo(404);
        assertThat(api.delete(webhooks(endpoint), ADMIN_KEY).status()).isEqualTo(404);
    }


    // The audit rows of endpoint changes: one each, committed with the change, no secret and no URL path.

    @Test
    void auditWhenAnEndpointIsCreatedChangedRotatedAndDeletedThenEachLeavesOneRowWithoutSecretOrPath_S44_S45() {
        Registered endpoint = register(newPath(), List.of("verification.started"));
        String moved = newPath();
        Response changed = api.patch(webhooks(endpoint), ADMIN_KEY, Map.of("url", url(WebhookReceiver.HOST, moved),
                "enabled", false, "description", "test receiver"));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        Response rotated = api.post(webhooks(endpoint) + "/rotate-secret", ADMIN_KEY, null);
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        assertThat(api.delete(webhooks(endpoint), ADMIN_KEY).status()).isEqualTo(204);
        assertThat(api.delete(webhooks(endpoint), ADMIN_KEY).status()).isEqualTo(404);

        String actor = AuditRows.adminActor(jdbc);
        String host = "https://" + WebhookReceiver.HOST;
        AuditRows.Row created = AuditRows.only(jdbc, "webhook.created", endpoint.id());
        assertThat(created.appId()).isEqualTo(app.id());
        assertThat(created.actor()).isEqualTo(actor);
        assertThat(created.details().get("url_host").asString()).isEqualTo(host);
        assertThat(created.details().get("events").asString()).isEqualTo("verification.started");
        assertThat(created.detailNames()).containsExactly("events", "url_host");

        AuditRows.Row updated = AuditRows.only(jdbc, "webhook.updated", endpoint.id());
        assertThat(updated.actor()).isEqualTo(actor);
        assertThat(updated.details().get("fields").asString()).as("the description was given unchanged")
                .isEqualTo("url enabled");
        assertThat(updated.details().get("enabled").asBoolean()).isFalse();
        assertThat(updated.details().get("url_host").asString()).isEqualTo(host);
        assertThat(updated.detailNames()).containsExactly("enabled", "fields", "url_host");

        AuditRows.Row rotation = AuditRows.only(jdbc, "webhook.secret_rotated", endpoint.id());
        assertThat(rotation.actor()).isEqualTo(actor);
        assertThat(Instant.parse(rotation.details().get("previous_secret_expires_at").asString()))
                .isEqualTo(Instant.parse(rotated.text("previous_secret_expires_at")));
        assertThat(AuditRows.only(jdbc, "webhook.deleted", endpoint.id()).actor()).isEqualTo(actor);

        String export = api.get("/v1/audit-events/export", ADMIN_KEY).body();
        assertThat(export).doesNotContain(endpoint.secret()).doesNotContain(rotated.text("secret"))
                .doesNotContain(endpoint.path()).doesNotContain(moved).doesNotContain(":" + RECEIVER.port());
    }

    @Test
    void auditWhenAnEndpointAnswers410ThenItsDisablingIsOneRowBySystem_S44() {
        String path = newPath();
        RECEIVER.script(path, Answer.status(410));
        Registered endpoint = register(path, List.of("*"));
        test(endpoint);
        waitUntil(() -> !AuditRows.of(jdbc, "webhook.disabled", endpoint.id()).isEmpty(), Duration.ofSeconds(20),
                "the disabling recorded");
        AuditRows.Row row = AuditRows.only(jdbc, "webhook.disabled", endpoint.id());
        assertThat(row.actor()).isEqualTo("system");
        assertThat(row.appId()).isEqualTo(app.id());
        assertThat(row.details().get("reason").asString()).isEqualTo("gone");
        assertThat(row.detailNames()).containsExactly("failing_since", "reason");
        assertThat(api.get(webhooks(endpoint), ADMIN_KEY).json().get("enabled").asBoolean()).isFalse();
        assertThat(AuditRows.of(jdbc, "webhook.updated", endpoint.id())).as("not a change by its owner").isEmpty();
    }

    @Test
    void auditWhenTheRowCannotBeWrittenThenNoEndpointIsCreatedAndNoSecretRotated() {
        Registered endpoint = register(newPath(), List.of("*"));
        byte[] secret = jdbc.sql("select secret from webhook_endpoints where id = ?").param(endpoint.id())
                .query(byte[].class).single();
        int before = jdbc.sql("select count(*) from webhook_endpoints").query(Integer.class).single();
        jdbc.sql("alter table audit_events rename to audit_events_away").update();
        try {
            Response refused = api.post("/v1/apps/" + app.id() + "/webhooks", ADMIN_KEY,
                    Map.of("url", url(WebhookReceiver.HOST, newPath()), "events", List.of("*")));
            assertThat(refused.status()).as(refused.body()).isEqualTo(500);
            assertThat(refused.body()).doesNotContain("whsec_");
            assertThat(api.post(webhooks(endpoint) + "/rotate-secret", ADMIN_KEY, null).status()).isEqualTo(500);
        } finally {
            jdbc.sql("alter table audit_events_away rename to audit_events").update();
        }
        assertThat(jdbc.sql("select count(*) from webhook_endpoints").query(Integer.class).single()).isEqualTo(before);
        assertThat(jdbc.sql("select secret from webhook_endpoints where id = ?").param(endpoint.id())
                .query(byte[].class).single()).isEqualTo(secret);
    }

    @Test
    void outboxWhenTheAppHasNoEndpointThenStartAndCheckCostNoWebhookStatementAndWithOneTheRowsAreWrittenInTheirTransaction() {
        String warm = TestApps.newPhone();
        fixtures.start(app, warm); // loads the app's (empty) subscriptions
        StatementCounter.EXECUTED.clear();
        String to = TestApps.newPhone();
        String id = fixtures.start(app, to);
        String code = fixtures.codeFor(to);
        assertThat(api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code)).status()).isEqualTo(200);
        // The threads that started, checked and sent this verification (the dispatchers of other tests poll meanwhile).
        java.util.Set<Long> publishers = StatementCounter.EXECUTED.stream()
                .filter(e -> e.sql().toLowerCase(java.util.Locale.ROOT).matches("(insert into|update) (verifications|delivery_steps).*"))
                .map(StatementCounter.Executed::threadId).collect(java.util.stream.Collectors.toSet());
        assertThat(publishers).isNotEmpty();
        assertThat(StatementCounter.EXECUTED).filteredOn(e -> publishers.contains(e.threadId()))
                .noneMatch(executed -> executed.sql().toLowerCase(java.util.Locale.ROOT).contains("webhook_"));

        Registered endpoint = register(newPath(), List.of("verification.*"));
        StatementCounter.EXECUTED.clear();
        String other = TestApps.newPhone();
        fixtures.start(app, other);
        List<StatementCounter.Executed> executed = List.copyOf(StatementCounter.EXECUTED);
        StatementCounter.Executed verification = executed.stream()
                .filter(e -> e.sql().toLowerCase(java.util.Locale.ROOT).startsWith("insert into verifications")).findFirst()
                .orElseThrow();
        StatementCounter.Executed outbox = executed.stream()
                .filter(e -> e.sql().toLowerCase(java.util.Locale.ROOT).startsWith("insert into webhook_events")).findFirst()
                .orElseThrow();
        assertThat(outbox.threadId()).as("written by the request that started it").isEqualTo(verification.threadId());
        assertThat(outbox.inTransaction()).isTrue();
        assertThat(verification.inTransaction()).isTrue();
        await(endpoint.path(), 1);
    }

    @Test
    void totpWhenAFactorIsActivatedLockedAndDeletedThenThreeEventsWithoutItsSeed() {
        Registered endpoint = register(newPath(), List.of("totp_factor.*"));
        String key = fixtures.key(app.id(), List.of("totp:manage", "totp:check"));
        Response enrolled = api.post("/v1/totp-factors", key, Map.of("account", "alice@example.com"));
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        String factor = enrolled.json().get("factor").get("id").asString();
        String secret = enrolled.text("secret");
        byte[] seed = new org.apache.commons.codec.binary.Base32().decode(secret);
        String code = dev.otpgate.totp.OneTimePasswords.totp(seed, clock.instant(), Duration.ofSeconds(30), 6,
                dev.otpgate.totp.OtpAlgorithm.SHA1);
        assertThat(api.post("/v1/totp-factors/" + factor + "/activate", key, Map.of("code", code)).status()).isEqualTo(200);
        String wrong = code.equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 20 && api.post("/v1/totp-factors/" + factor + "/check", key, Map.of("code", wrong)).status() != 429; i++) {
            // until the factor locks
        }
        assertThat(api.delete("/v1/totp-factors/" + factor, key).status()).isEqualTo(204);
        List<Received> received = awaitEvents(endpoint.path(), 3);
        assertThat(received).extracting(r -> json(r).get("type").asString())
                .containsExactlyInAnyOrder("totp_factor.activated", "totp_factor.locked", "totp_factor.deleted");
        for (Received request : received) {
            assertThat(json(request).get("data").get("factor_id").asString()).isEqualTo(factor);
            assertThat(request.body()).doesNotContain(secret).doesNotContain(code);
        }
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void logsWhenEndpointsAreCreatedRotatedFailedAndDisabledThenNoSecretNoUrlAndNoBody_S45(
            org.springframework.boot.test.system.CapturedOutput output) {
        String path = newPath() + "/token-in-path";
        RECEIVER.script(path, Answer.status(500), Answer.status(410));
        Registered endpoint = register(path, List.of("*"));
        String rotated = api.post(webhooks(endpoint) + "/rotate-secret", ADMIN_KEY, null).text("secret");
        test(endpoint);
        awaitAttempts(endpoint, 1);
        clock.advance(Duration.ofSeconds(6));
        waitUntil(() -> !api.get(webhooks(endpoint), ADMIN_KEY).json().get("enabled").asBoolean(), Duration.ofSeconds(20),
                "disabled by the 410");
        String body = RECEIVER.at(path).getFirst().body();
        // Framework DEBUG lines (request bodies, which another suite of this JVM may have switched on) are the
        // documented exception; otpgate's own lines are the subject here.
        String logged = output.getAll().lines().filter(line -> !line.contains(" DEBUG ") && !line.contains(" TRACE "))
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(logged).contains(endpoint.id())
                .doesNotContain(endpoint.secret()).doesNotContain(endpoint.secret().substring(6))
                .doesNotContain(rotated).doesNotContain(rotated.substring(6))
                .doesNotContain("token-in-path").doesNotContain(body);
        String metrics = jdbc.sql("select count(*) from webhook_attempts where endpoint_id = ?").param(endpoint.id())
                .query(Integer.class).single().toString();
        assertThat(metrics).isEqualTo("2");
    }

    @Test
    void verificationWhenCanceledFailedAndExpiredThenEachEventArrivesWithItsStatus() {
        Registered endpoint = register(newPath(), List.of("verification.canceled", "verification.failed",
                "verification.expired"));
        String canceled = fixtures.start(app, TestApps.newPhone());
        assertThat(api.post("/v1/verifications/" + canceled + "/cancel", app.key(), null).status()).isLessThan(300);
        String to = TestApps.newPhone();
        String failed = fixtures.start(app, to);
        String wrong = fixtures.codeFor(to).equals("000000") ? "111111" : "000000";
        for (int i = 0; i < 5; i++) {
            api.post("/v1/verifications/" + failed + "/check", app.key(), Map.of("code", wrong));
        }
        String expired = fixtures.start(app, TestApps.newPhone());
        clock.advance(Duration.ofHours(1));
        assertThat(api.get("/v1/verifications/" + expired, app.key()).text("status")).isEqualTo("expired");
        List<Received> received = awaitEvents(endpoint.path(), 3);
        Map<String, JsonNode> byType = new java.util.HashMap<>();
        received.forEach(r -> byType.put(json(r).get("type").asString(), json(r).get("data")));
        assertThat(byType.get("verification.canceled").get("verification_id").asString()).isEqualTo(canceled);
        assertThat(byType.get("verification.failed").get("verification_id").asString()).isEqualTo(failed);
        assertThat(byType.get("verification.failed").get("reason").asString()).isEqualTo("max-attempts");
        assertThat(byType.get("verification.expired").get("verification_id").asString()).isEqualTo(expired);
        assertThat(byType.get("verification.expired").get("status").asString()).isEqualTo("expired");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
