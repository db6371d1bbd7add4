package dev.otpgate.verification;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import dev.otpgate.simswap.CamaraSimSwapStub;
import dev.otpgate.simswap.CamaraSimSwapStub.Answer;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.Concurrently;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Every send passes every destination rule, not only a start's first one (subclasses run this on H2 and on
 * PostgreSQL). The rules, in the order they answer: the channel is allowed for the app, a provider serves it,
 * the country is on the app's allowlist (S-34), the number type suits SMS or voice (S-34), no fraud block holds
 * for the number's range (S-35), no SIM swap blocked the phone channels (S-07), the destination's send limits,
 * and the app's daily budget. They hold for a client's resend (same channel, another channel, or the workflow's
 * next step) and for the sends the server makes by itself: after a step's timeout, after an undelivered receipt
 * and after a SIM swap skips the phone steps.
 *
 * <p>Everything is observed through the HTTPS API, the dev inbox and reads of the {@code delivery_steps} and
 * {@code dev_messages} tables. SMS and WhatsApp go to the dev inbox; voice goes to a generic HTTP gateway (on
 * WireMock) whose Standard-Webhooks-signed receipts can report a call undelivered. Prices: a US SMS costs 0.04 and
 * a US call 0.07; WhatsApp costs nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.fraud.evaluate-interval=1h",
                "otpgate.fraud.prices.US.sms=0.04", "otpgate.fraud.prices.US.voice=0.07",
                "otpgate.providers.voice-gw.type=http", "otpgate.providers.voice-gw.channels=voice",
                "otpgate.providers.voice-gw.insecure-http=true",
                "otpgate.providers.voice-gw.body={\"to\":\"{to}\",\"text\":\"{text}\",\"ref\":\"{reference}\"}",
                "otpgate.providers.voice-gw.receipts.secret=" + SendPolicyContract.RECEIPT_SECRET,
                "otpgate.sim-swap.client-id=" + CamaraSimSwapStub.CLIENT_ID,
                "otpgate.sim-swap.client-secret=" + CamaraSimSwapStub.CLIENT_SECRET,
                "otpgate.sim-swap.insecure-http=true", "otpgate.sim-swap.read-timeout=10s"})
abstract class SendPolicyContract extends ServerTestSupport {

    private static final byte[] RECEIPT_KEY = "send-policy-test-webhook-key-32b".getBytes(StandardCharsets.UTF_8);
    static final String RECEIPT_SECRET = "whsec_c2VuZC1wb2xpY3ktdGVzdC13ZWJob29rLWtleS0zMmI=";
    private static final String PROBLEMS = "https://otpgate.dev/problems/";
    private static final Pattern SIX_DIGITS = Pattern.compile("\\b([0-9]{6})\\b");
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /** The US premium-rate number of the examples in the issue that asked for this behaviour. */
    private static final String US_PREMIUM = "+19002345678";

    /** Shared by the H2 and the PostgreSQL context, which may both be alive; stopped with the JVM. */
    private static WireMockServer gateway;
    private static CamaraSimSwapStub camara;

    @DynamicPropertySource
    static void peers(DynamicPropertyRegistry registry) throws IOException {
        synchronized (SendPolicyContract.class) {
            if (gateway == null) {
                gateway = new WireMockServer(options().dynamicPort().http2PlainDisabled(true));
                gateway.start();
                gateway.stubFor(post(urlEqualTo("/calls")).willReturn(aResponse().withStatus(202)));
                camara = new CamaraSimSwapStub();
                WireMockServer started = gateway;
                CamaraSimSwapStub stub = camara;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    started.stop();
                    stub.close();
                }));
            }
        }
        registry.add("otpgate.providers.voice-gw.url", () -> gateway.baseUrl() + "/calls");
        registry.add("otpgate.sim-swap.base-url", () -> camara.baseUrl().toString());
        registry.add("otpgate.sim-swap.token-url", () -> camara.tokenUrl().toString());
    }

    // --- Destinations ----------------------------------------------------------------------------------------

    private static final AtomicInteger NEXT_NUMBER = new AtomicInteger(1000);

    /** A US premium-rate number (900 area code) no other test of this run uses. */
    private static String usPremiumRate() {
        return ofType(String.format("+1900234%04d", NEXT_NUMBER.getAndIncrement()), PhoneNumberType.PREMIUM_RATE);
    }

    /** A British fixed line (Birmingham) no other test of this run uses: voice may call it, SMS cannot reach it. */
    private static String gbFixedLine() {
        return ofType(String.format("+44121234%04d", NEXT_NUMBER.getAndIncrement()), PhoneNumberType.FIXED_LINE);
    }

    private static String ofType(String number, PhoneNumberType type) {
        try {
            assertThat(PHONES.getNumberType(PHONES.parse(number, "ZZ"))).as(number).isEqualTo(type);
        } catch (com.google.i18n.phonenumbers.NumberParseException e) {
            throw new AssertionError(number, e);
        }
        return number;
    }

    /**
     * Fictional 555-01xx numbers of one North American area code that {@link TestApps#newPhone()} does not use,
     * so that a fraud block on the range (prefix {@code +1} and four digits) touches no other test's numbers.
     */
    private record Range(int area) {

        String number(int n) {
            return String.format("+1%d5550%03d", area, 100 + n);
        }
    }

    // --- Apps and requests -----------------------------------------------------------------------------------

    /**
     * An app for these tests: resends without cooldown, ten sends per verification, fraud detection off and a
     * per-destination limit high enough that only the test that is about that limit meets it.
     */
    private TestApp app(List<String> channels, Map<String, Object> defences) {
        Map<String, Object> all = new HashMap<>(Map.of("fraud_mode", "off",
                "rate_limits", Map.of("starts-per-destination", Map.of("capacity", 100, "period_seconds", 600))));
        all.putAll(defences);
        return fixtures.app(Map.of("allowed_channels", channels, "resend_cooldown_seconds", 0, "max_sends", 10,
                "defences", all));
    }

    private TestApp phoneApp(Map<String, Object> defences) {
        return app(List.of("sms", "voice", "whatsapp"), defences);
    }

    private Response start(TestApp app, String to, String channel) {
        return api.post("/v1/verifications", app.key(), Map.of("to", to, "channel", channel));
    }

    private String started(TestApp app, String to, String channel) {
        Response started = start(app, to, channel);
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        return started.text("id");
    }

    /** Starts a workflow; each step is a channel, or a channel and its timeout as {@code "sms:10"}. */
    private String startedWorkflow(TestApp app, String to, String... steps) {
        List<Map<String, Object>> workflow = new ArrayList<>();
        for (String step : steps) {
            String[] parts = step.split(":");
            workflow.add(parts.length == 1 ? Map.of("channel", parts[0])
                    : Map.of("channel", parts[0], "timeout_seconds", Integer.parseInt(parts[1])));
        }
        Response started = api.post("/v1/verifications", app.key(), Map.of("to", to, "workflow", workflow));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        return started.text("id");
    }

    private Response resend(TestApp app, String id, Map<String, Object> body) {
        return api.post("/v1/verifications/" + id + "/resend", app.key(), body);
    }

    private Response read(TestApp app, String id) {
        Response read = api.get("/v1/verifications/" + id, app.key());
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        return read;
    }

    private void restrictCountries(TestApp app, List<String> countries) {
        Response patched = api.patch("/v1/apps/" + app.id(), ADMIN_KEY, Map.of("defences", Map.of("allowed_countries", countries)));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    }

    private static void assertProblem(Response response, int status, String slug) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.text("type")).as(response.body()).isEqualTo(PROBLEMS + slug);
    }

    /** A start on {@code channel}, refused as {@code slug}: what a resend on that channel must answer too. */
    private Response refusedStart(TestApp app, String to, String channel, int status, String slug) {
        Response start = start(app, to, channel);
        assertProblem(start, status, slug);
        return start;
    }

    private static void assertAnswersAsTheStart(Response resend, Response start) {
        assertThat(resend.status()).as(resend.body()).isEqualTo(start.status());
        assertThat(resend.text("type")).as(resend.body()).isEqualTo(start.text("type"));
    }

    // --- What was sent ---------------------------------------------------------------------------------------

    private int messagesTo(String to) {
        return fixtures.messagesTo(to).size();
    }

    private int messagesTo(String to, String channel) {
        return jdbc.sql("select count(*) from dev_messages where recipient = ? and channel = ?")
                .params(to, channel).query(Integer.class).single();
    }

    /** Steps of {@code id} on {@code channel} that went out to a provider, whatever became of them after. */
    private int sentSteps(String id, String channel) {
        return jdbc.sql("select count(*) from delivery_steps where verification_id = ? and channel = ? "
                        + "and status in ('sent', 'delivered', 'undelivered')")
                .params(id, channel).query(Integer.class).single();
    }

    /** The code in the {@code count}-th message to {@code to}, whatever the channel's wording. */
    private String codeIn(String to, int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> messagesTo(to) >= count);
        String body = fixtures.messagesTo(to).getFirst();
        Matcher matcher = SIX_DIGITS.matcher(body.replaceAll("([0-9]), (?=[0-9])", "$1"));
        assertThat(matcher.find()).as("a code in the message").isTrue();
        return matcher.group(1);
    }

    private void assertApproves(TestApp app, String id, String code) {
        Response approved = api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
    }

    /** What a refused send must leave as it was. */
    private record Snapshot(String channel, int sendsRemaining, int steps, int messages) {}

    private Snapshot snapshot(TestApp app, String id, String to) {
        Response read = read(app, id);
        return new Snapshot(read.text("channel"), read.json().get("sends_remaining").asInt(), read.json().get("steps").size(),
                messagesTo(to));
    }

    /** The verification is pending on the step it was on, and no message left for the destination meanwhile. */
    private void assertUnchanged(TestApp app, String id, String to, Snapshot before) {
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> messagesTo(to) == before.messages());
        Response read = read(app, id);
        assertThat(read.text("status")).as(read.body()).isEqualTo("pending");
        assertThat(new Snapshot(read.text("channel"), read.json().get("sends_remaining").asInt(),
                read.json().get("steps").size(), messagesTo(to))).as(read.body()).isEqualTo(before);
    }

    private static List<JsonNode> steps(Response read) {
        List<JsonNode> steps = new ArrayList<>();
        read.json().get("steps").forEach(steps::add);
        return steps;
    }

    private static boolean isStep(JsonNode step, String channel, String status) {
        return step.get("channel").asString().equals(channel) && step.get("status").asString().equals(status);
    }

    /** One of the steps is {@code channel}, skipped with the problem {@code slug} as its reason. */
    private static void assertSkipped(Response read, String channel, String slug) {
        assertThat(steps(read)).as(read.body()).anySatisfy(step -> {
            assertThat(step.get("channel").asString()).isEqualTo(channel);
            assertThat(step.get("status").asString()).isEqualTo("skipped");
            assertThat(step.get("reason").asString()).isEqualTo(slug);
        });
    }

    private static void assertFailed(Response read, String slug) {
        assertThat(read.text("status")).as(read.body()).isEqualTo("failed");
        assertThat(read.text("failure_reason")).as(read.body()).isEqualTo(slug);
    }

    /**
     * Waits until the verification ended or {@code settled} holds of it. Each test's condition holds both for
     * the behaviour it asserts and for the one it guards against, so that a wrong one fails on its assertion
     * rather than on a timeout.
     */
    private Response awaitSettled(TestApp app, String id, Predicate<Response> settled) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> read(app, id),
                read -> !"pending".equals(read.text("status")) || settled.test(read));
    }

    /** The verification's steps number {@code count}, and the newest has left the queue. */
    private static Predicate<Response> stepsRecorded(int count) {
        return read -> {
            List<JsonNode> steps = steps(read);
            return steps.size() >= count && !steps.getLast().get("status").asString().equals("queued");
        };
    }

    /** A step after the first on {@code channel} went out. */
    private static Predicate<Response> laterStepSent(String channel) {
        return read -> steps(read).stream().skip(1).anyMatch(step -> isStep(step, channel, "sent"));
    }

    /**
     * Stops the server's clock {@code ago} in the past for the rest of the test. A step's timer is due at the
     * time its code was sent plus the step's timeout, by this clock, and fires by the scheduler's own clock: a
     * step started 60 s ago with a 10 s timeout is already due, so no test waits for a timeout in real time.
     */
    private void startInThePast(Duration ago) {
        clock.fixAt(Instant.now().minus(ago));
    }

    // --- Client-initiated sends: the examples ----------------------------------------------------------

    @Test
    void resendToAPremiumRateNumberBySmsOrVoiceIsRefusedAndNothingIsSent_S34() {
        TestApp app = phoneApp(Map.of());
        String id = started(app, US_PREMIUM, "whatsapp");
        String code = codeIn(US_PREMIUM, 1);
        Snapshot before = snapshot(app, id, US_PREMIUM);

        for (String channel : List.of("sms", "voice")) {
            Response start = refusedStart(app, US_PREMIUM, channel, 422, "undeliverable-destination");
            Response refused = resend(app, id, Map.of("channel", channel));
            assertAnswersAsTheStart(refused, start);
            assertThat(refused.text("number_type")).isEqualTo("premium_rate");
        }

        assertUnchanged(app, id, US_PREMIUM, before);
        assertThat(messagesTo(US_PREMIUM, "sms")).isZero();
        assertThat(sentSteps(id, "voice")).isZero();
        assertApproves(app, id, code);
    }

    @Test
    void resendWithNextToAPremiumRateNumberWhenTheNextStepIsVoiceIsRefusedAndNothingIsSent_S34() {
        TestApp app = phoneApp(Map.of());
        String to = usPremiumRate();
        String id = startedWorkflow(app, to, "whatsapp:600", "voice");
        String code = codeIn(to, 1);
        Snapshot before = snapshot(app, id, to);

        Response refused = resend(app, id, Map.of("next", true));
        assertProblem(refused, 422, "undeliverable-destination");
        assertThat(refused.text("number_type")).isEqualTo("premium_rate");

        assertUnchanged(app, id, to, before);
        assertThat(sentSteps(id, "voice")).isZero();
        assertApproves(app, id, code);
    }

    // --- Client-initiated sends: each rule ---------------------------------------------------------------------

    @Test
    void resendWithNextSkipsRefusedStepsAndSendsOnTheFirstAllowedOne_S34() {
        TestApp app = phoneApp(Map.of());
        String to = usPremiumRate();
        String id = startedWorkflow(app, to, "whatsapp:600", "sms", "voice", "whatsapp");
        String first = codeIn(to, 1);

        Response next = resend(app, id, Map.of("next", true));
        assertThat(next.status()).as(next.body()).isEqualTo(202);
        assertThat(next.text("channel")).isEqualTo("whatsapp");
        String second = codeIn(to, 2);

        Response read = read(app, id);
        assertSkipped(read, "sms", "undeliverable-destination");
        assertSkipped(read, "voice", "undeliverable-destination");
        assertThat(messagesTo(to, "sms")).isZero();
        assertThat(sentSteps(id, "voice")).isZero();
        assertThat(messagesTo(to, "whatsapp")).isEqualTo(2);
        if (!first.equals(second)) {
            assertThat(api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", first)).status())
                    .as("the first code after the client moved on").isEqualTo(422);
        }
        assertApproves(app, id, second);
    }

    @Test
    void resendBySmsToAFixedLineIsRefusedWhileVoiceStillCallsIt_S34() {
        TestApp app = phoneApp(Map.of());
        String to = gbFixedLine();
        String id = started(app, to, "voice");
        await().atMost(Duration.ofSeconds(20)).until(() -> sentSteps(id, "voice") == 1);

        Response start = refusedStart(app, to, "sms", 422, "undeliverable-destination");
        Response refused = resend(app, id, Map.of("channel", "sms"));
        assertAnswersAsTheStart(refused, start);
        assertThat(refused.text("number_type")).isEqualTo("fixed_line");
        assertThat(read(app, id).text("channel")).isEqualTo("voice");

        Response again = resend(app, id, Map.of());
        assertThat(again.status()).as(again.body()).isEqualTo(202);
        assertThat(again.text("channel")).isEqualTo("voice");
        await().atMost(Duration.ofSeconds(20)).until(() -> sentSteps(id, "voice") == 2);
        assertThat(messagesTo(to, "sms")).isZero();
    }

    @Test
    void resendAfterTheCountryLeftTheAllowlistIsRefusedOnEveryChannel_S34() {
        TestApp app = phoneApp(Map.of("allowed_countries", List.of("US")));
        String to = TestApps.newPhone();
        String id = started(app, to, "sms");
        String code = codeIn(to, 1);
        Snapshot before = snapshot(app, id, to);
        restrictCountries(app, List.of("GB"));
        Response start = refusedStart(app, to, "sms", 403, "country-not-allowed");

        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), Map.of("channel", "whatsapp"))) {
            Response refused = resend(app, id, body);
            assertAnswersAsTheStart(refused, start);
            assertThat(refused.text("country")).isEqualTo("US");
        }

        assertUnchanged(app, id, to, before);
        assertApproves(app, id, code);
    }

    @Test
    void resendWhenSeveralRulesRefuseAnswersWithTheFirstInOrder_S34() {
        TestApp app = app(List.of("sms", "whatsapp"), Map.of());
        String to = usPremiumRate();
        String id = started(app, to, "whatsapp");
        String code = codeIn(to, 1);
        Snapshot before = snapshot(app, id, to);
        restrictCountries(app, List.of("GB"));

        // Voice is not allowed for the app, the country is not allowed, and the number is premium rate.
        Response voiceStart = refusedStart(app, to, "voice", 403, "channel-not-allowed");
        assertAnswersAsTheStart(resend(app, id, Map.of("channel", "voice")), voiceStart);
        // The country comes before the number type.
        Response smsStart = refusedStart(app, to, "sms", 403, "country-not-allowed");
        assertAnswersAsTheStart(resend(app, id, Map.of("channel", "sms")), smsStart);

        assertUnchanged(app, id, to, before);
        assertApproves(app, id, code);
    }

    @Test
    void resendOnAChannelTheAppDoesNotAllowIsRefused() {
        TestApp app = app(List.of("sms", "whatsapp"), Map.of());
        String to = TestApps.newPhone();
        String id = started(app, to, "sms");
        String code = codeIn(to, 1);
        Snapshot before = snapshot(app, id, to);

        Response start = refusedStart(app, to, "voice", 403, "channel-not-allowed");
        assertAnswersAsTheStart(resend(app, id, Map.of("channel", "voice")), start);

        assertUnchanged(app, id, to, before);
        assertApproves(app, id, code);
    }

    /**
     * Five starts to consecutive numbers of {@code range} in {@code block} mode: the fifth is refused and the
     * range is blocked (S-35), for every later send to it.
     */
    private void blockRange(TestApp app, Range range) {
        for (int i = 0; i < 4; i++) {
            assertThat(start(app, range.number(50 + i), "whatsapp").status()).isEqualTo(201);
        }
        assertProblem(start(app, range.number(54), "whatsapp"), 403, "fraud-blocked");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api.get("/v1/fraud/blocks", app.key()).json().get("blocks").size() == 1);
        assertProblem(start(app, range.number(80), "whatsapp"), 403, "fraud-blocked");
    }

    @Test
    void resendToANumberRangeBlockedAfterTheStartIsRefused_S35() {
        TestApp app = phoneApp(Map.of("fraud_mode", "block"));
        Range range = new Range(303);
        String to = range.number(0);
        String id = started(app, to, "sms");
        String code = codeIn(to, 1);
        Snapshot before = snapshot(app, id, to);
        blockRange(app, range);
        Response start = refusedStart(app, to, "sms", 403, "fraud-blocked");

        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), Map.of("channel", "whatsapp"))) {
            Response refused = resend(app, id, body);
            assertAnswersAsTheStart(refused, start);
            assertThat(refused.text("reason")).isEqualTo("sequential-numbers");
        }

        assertUnchanged(app, id, to, before);
        assertApproves(app, id, code);
    }

    @Test
    void resendBeyondTheDestinationsSendLimitIsRateLimited() {
        TestApp app = phoneApp(Map.of("rate_limits",
                Map.of("starts-per-destination", Map.of("capacity", 2, "period_seconds", 600))));
        String to = TestApps.newPhone();
        String id = started(app, to, "sms");
        codeIn(to, 1);
        assertThat(resend(app, id, Map.of()).status()).isEqualTo(202);
        String code = codeIn(to, 2);
        Snapshot before = snapshot(app, id, to);

        // The start and the resend used up the destination's two sends.
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of(), Map.of("channel", "whatsapp"))) {
            Response refused = resend(app, id, body);
            assertProblem(refused, 429, "rate-limited");
            assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();
        }
        assertAnswersAsTheStart(resend(app, id, Map.of()), refusedStart(app, to, "sms", 429, "rate-limited"));

        assertUnchanged(app, id, to, before);
        assertApproves(app, id, code);
    }

    // --- Every send is counted against the daily budget ----------------------------------------------------------

    @Test
    void budgetStopsASmsStartAndItsResendsAtTheBudget() {
        TestApp app = phoneApp(Map.of("daily_budget", 0.1));
        String to = TestApps.newPhone();
        String id = started(app, to, "sms");
        codeIn(to, 1);
        Response second = resend(app, id, Map.of());
        assertThat(second.status()).as(second.body()).isEqualTo(202);
        String code = codeIn(to, 2);
        Snapshot before = snapshot(app, id, to);

        // 0.08 spent; one more SMS (0.04) would pass 0.10.
        Response refused = resend(app, id, Map.of());
        assertProblem(refused, 429, "budget-exhausted");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();
        refusedStart(app, TestApps.newPhone(), "sms", 429, "budget-exhausted");

        assertUnchanged(app, id, to, before);
        assertThat(messagesTo(to, "sms")).isEqualTo(2);
        assertApproves(app, id, code);
    }

    @Test
    void budgetStopsSmsResendsAfterAWhatsAppStartAtTheBudget() {
        TestApp app = phoneApp(Map.of("daily_budget", 0.1));
        String to = TestApps.newPhone();
        String id = started(app, to, "whatsapp");
        codeIn(to, 1);
        assertThat(resend(app, id, Map.of("channel", "sms")).status()).isEqualTo(202);
        codeIn(to, 2);
        assertThat(resend(app, id, Map.of()).status()).isEqualTo(202);
        codeIn(to, 3);
        Snapshot before = snapshot(app, id, to);

        assertProblem(resend(app, id, Map.of()), 429, "budget-exhausted");
        assertProblem(resend(app, id, Map.of("channel", "sms")), 429, "budget-exhausted");
        // WhatsApp costs nothing, so it is still sent.
        assertUnchanged(app, id, to, before);
        assertThat(messagesTo(to, "sms")).isEqualTo(2);
        assertThat(resend(app, id, Map.of("channel", "whatsapp")).status()).isEqualTo(202);
        codeIn(to, 4);
        assertThat(messagesTo(to, "whatsapp")).isEqualTo(2);
    }

    @Test
    void budgetPricesEachResendByItsOwnChannel() {
        TestApp app = phoneApp(Map.of("daily_budget", 0.1));
        String to = TestApps.newPhone();
        String id = started(app, to, "sms");
        String code = codeIn(to, 1);
        Snapshot before = snapshot(app, id, to);

        // 0.04 spent; a US call costs 0.07, which would pass 0.10, while a second SMS (0.04) would not.
        assertProblem(resend(app, id, Map.of("channel", "voice")), 429, "budget-exhausted");
        assertUnchanged(app, id, to, before);
        assertThat(sentSteps(id, "voice")).isZero();
        assertApproves(app, id, code);

        String other = TestApps.newPhone();
        String second = started(app, other, "whatsapp");
        codeIn(other, 1);
        assertThat(resend(app, second, Map.of("channel", "sms")).status()).isEqualTo(202);
        codeIn(other, 2);
        assertProblem(resend(app, second, Map.of()), 429, "budget-exhausted");
    }

    @Test
    void budgetHoldsWhenTwentySmsResendsRace() throws Exception {
        TestApp app = phoneApp(Map.of("daily_budget", 0.1));
        List<String> numbers = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            numbers.add(TestApps.newPhone());
            ids.add(started(app, numbers.getLast(), "whatsapp"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> numbers.stream().allMatch(to -> messagesTo(to) == 1));

        List<Response> resends = Concurrently.run(20, i -> resend(app, ids.get(i), Map.of("channel", "sms")));
        assertRaceStoppedAtTwoSms(resends, numbers);
    }

    @Test
    void budgetHoldsWhenTwentySmsStartsRace() throws Exception {
        TestApp app = phoneApp(Map.of("daily_budget", 0.1));
        List<String> numbers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            numbers.add(TestApps.newPhone());
        }
        List<Response> starts = Concurrently.run(20, i -> start(app, numbers.get(i), "sms"));
        assertRaceStoppedAtTwoSms(starts, numbers);
    }

    /** 0.10 buys two US SMS: at most two sends were accepted, the others answered budget-exhausted. */
    private void assertRaceStoppedAtTwoSms(List<Response> responses, List<String> numbers) {
        List<Response> accepted = responses.stream().filter(r -> r.status() == 201 || r.status() == 202).toList();
        assertThat(accepted).as("accepted sends").hasSizeBetween(1, 2);
        assertThat(responses).filteredOn(r -> r.status() >= 400)
                .allSatisfy(refused -> assertProblem(refused, 429, "budget-exhausted"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(20)).until(() ->
                numbers.stream().mapToInt(to -> messagesTo(to, "sms")).sum() == accepted.size());
    }

    // --- Automatic sends: a step's timeout ---------------------------------------------------------------------

    @Test
    void stepTimeoutSkipsStepsTheNumberTypeRefusesAndSendsOnTheNextAllowedOne_S34() {
        TestApp app = phoneApp(Map.of());
        String to = usPremiumRate();
        startInThePast(Duration.ofSeconds(60));
        String id = startedWorkflow(app, to, "whatsapp:10", "sms:10", "voice:10", "whatsapp");

        Response read = awaitSettled(app, id, stepsRecorded(4).or(laterStepSent("whatsapp")));
        assertSkipped(read, "sms", "undeliverable-destination");
        assertSkipped(read, "voice", "undeliverable-destination");
        assertThat(read.text("status")).isEqualTo("pending");
        assertThat(read.text("channel")).isEqualTo("whatsapp");
        assertThat(messagesTo(to, "sms")).isZero();
        assertThat(sentSteps(id, "voice")).isZero();
        assertApproves(app, id, codeIn(to, 2));
    }

    @Test
    void stepTimeoutAfterTheCountryLeftTheAllowlistFailsTheVerification_S34() {
        TestApp app = phoneApp(Map.of());
        String to = TestApps.newPhone();
        // The first step's timer is due 10 s from now: time to see it sent and change the allowlist.
        startInThePast(Duration.ofSeconds(5));
        String id = startedWorkflow(app, to, "whatsapp:15", "sms");
        codeIn(to, 1);
        restrictCountries(app, List.of("GB"));
        assertThat(read(app, id).json().get("steps")).as("the step's timer fired before the allowlist changed").hasSize(1);

        Response read = awaitSettled(app, id, stepsRecorded(2));
        assertSkipped(read, "sms", "country-not-allowed");
        assertFailed(read, "country-not-allowed");
        assertThat(messagesTo(to, "sms")).isZero();
    }

    @Test
    void stepTimeoutSkipsAStepBeyondTheDailyBudgetAndSendsOnTheNextAllowedOne() {
        // 0.04 for the SMS; the call (0.07) would pass 0.10.
        TestApp app = phoneApp(Map.of("daily_budget", 0.1));
        String to = TestApps.newPhone();
        startInThePast(Duration.ofSeconds(60));
        String id = startedWorkflow(app, to, "sms:10", "voice:10", "whatsapp");

        Response read = awaitSettled(app, id, stepsRecorded(3).or(laterStepSent("whatsapp")));
        assertSkipped(read, "voice", "budget-exhausted");
        assertThat(read.text("channel")).isEqualTo("whatsapp");
        assertThat(sentSteps(id, "voice")).isZero();
        assertThat(messagesTo(to, "whatsapp")).isEqualTo(1);
    }

    // --- Automatic sends: an undelivered receipt -----------------------------------------------------------------

    /** Waits for the call of step 1 and reports it undelivered, signed as Standard Webhooks specifies. */
    private void reportCallUndelivered(String id) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> sentSteps(id, "voice") == 1);
        String messageId = jdbc.sql("select provider_message_id from delivery_steps where verification_id = ? and step = 1")
                .param(id).query(String.class).single();
        String body = ApiClient.json(Map.of("message_id", messageId, "status", "undelivered"));
        String webhookId = "msg_" + System.nanoTime();
        String timestamp = String.valueOf(clock.instant().getEpochSecond());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(RECEIPT_KEY, "HmacSHA256"));
        String signature = Base64.getEncoder().encodeToString(
                mac.doFinal((webhookId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        Response receipt = api.postRaw("/v1/providers/voice-gw/receipts", null, body, Map.of("Content-Type",
                "application/json", "webhook-id", webhookId, "webhook-timestamp", timestamp, "webhook-signature",
                "v1," + signature));
        assertThat(receipt.status()).as(receipt.body()).isEqualTo(204);
    }

    @Test
    void undeliveredCallToAFixedLineSkipsSmsAndSendsOnTheNextAllowedStep_S34() throws Exception {
        TestApp app = phoneApp(Map.of());
        String to = gbFixedLine();
        String id = startedWorkflow(app, to, "voice:600", "sms:600", "whatsapp");
        reportCallUndelivered(id);

        Response read = awaitSettled(app, id, stepsRecorded(3).or(laterStepSent("whatsapp")).or(laterStepSent("sms")));
        assertThat(steps(read).getFirst().get("status").asString()).isEqualTo("undelivered");
        assertSkipped(read, "sms", "undeliverable-destination");
        assertThat(read.text("channel")).isEqualTo("whatsapp");
        assertThat(messagesTo(to, "sms")).isZero();
        assertApproves(app, id, codeIn(to, 1));
    }

    @Test
    void undeliveredCallAfterTheCountryLeftTheAllowlistFailsTheVerification_S34() throws Exception {
        TestApp app = phoneApp(Map.of("allowed_countries", List.of("US", "GB")));
        String to = TestApps.newPhone();
        String id = startedWorkflow(app, to, "voice:600", "whatsapp");
        await().atMost(Duration.ofSeconds(20)).until(() -> sentSteps(id, "voice") == 1);
        restrictCountries(app, List.of("GB"));
        reportCallUndelivered(id);

        Response read = awaitSettled(app, id, stepsRecorded(2));
        assertSkipped(read, "whatsapp", "country-not-allowed");
        assertFailed(read, "country-not-allowed");
        assertThat(messagesTo(to)).isZero();
    }

    @Test
    void undeliveredCallAfterTheNumberRangeWasBlockedFailsTheVerification_S35() throws Exception {
        TestApp app = phoneApp(Map.of("fraud_mode", "block"));
        Range range = new Range(404);
        String to = range.number(0);
        String id = startedWorkflow(app, to, "voice:600", "sms");
        await().atMost(Duration.ofSeconds(20)).until(() -> sentSteps(id, "voice") == 1);
        blockRange(app, range);
        reportCallUndelivered(id);

        Response read = awaitSettled(app, id, stepsRecorded(2));
        assertSkipped(read, "sms", "fraud-blocked");
        assertFailed(read, "fraud-blocked");
        assertThat(messagesTo(to, "sms")).isZero();
    }

    // --- Automatic sends: a SIM swap skips the phone steps -------------------------------------------------------

    private TestApp simSwapApp() {
        return phoneApp(Map.of("sim_swap", Map.of("enabled", true, "max_age_hours", 48, "on_error", "fail-closed")));
    }

    @Test
    void simSwapOnAFixedLineSkipsSmsForItsNumberTypeFirstAndSendsByWhatsApp_S07_S34() {
        camara.answerNext(Answer.swapped(true));
        TestApp app = simSwapApp();
        String to = gbFixedLine();
        String id = startedWorkflow(app, to, "voice:600", "sms:600", "whatsapp");

        Response read = awaitSettled(app, id, stepsRecorded(3).or(laterStepSent("whatsapp")));
        assertSkipped(read, "voice", "sim-swap-detected");
        // The number type comes before the blocked phone channels.
        assertSkipped(read, "sms", "undeliverable-destination");
        assertThat(read.text("channel")).isEqualTo("whatsapp");
        assertThat(sentSteps(id, "voice")).isZero();
        assertThat(messagesTo(to, "sms")).isZero();
        assertApproves(app, id, codeIn(to, 1));
    }

    @Test
    void simSwapRecordsTheBlockedPhoneStepsAsSkipped_S07() {
        camara.answerNext(Answer.swapped(true));
        TestApp app = simSwapApp();
        String to = TestApps.newPhone();
        String id = startedWorkflow(app, to, "sms:600", "voice:600", "whatsapp");

        Response read = awaitSettled(app, id, stepsRecorded(3).or(laterStepSent("whatsapp")));
        assertSkipped(read, "sms", "sim-swap-detected");
        assertSkipped(read, "voice", "phone-channels-blocked");
        assertThat(read.text("channel")).isEqualTo("whatsapp");
        assertThat(sentSteps(id, "voice")).isZero();
        assertThat(messagesTo(to, "sms")).isZero();
    }

    @Test
    void simSwapWhenTheCountryLeftTheAllowlistDuringTheCheckFailsTheVerification_S07_S34() {
        // The SIM-swap API answers after 3 s: long enough to change the allowlist while the check is in flight.
        camara.answerNext(Answer.swapped(true).after(Duration.ofSeconds(3)));
        TestApp app = simSwapApp();
        String to = TestApps.newPhone();
        int checksBefore = camara.checks().size();
        String id = startedWorkflow(app, to, "sms:600", "whatsapp");
        await().atMost(Duration.ofSeconds(10)).until(() -> camara.checks().size() > checksBefore);
        restrictCountries(app, List.of("GB"));

        Response read = awaitSettled(app, id, stepsRecorded(2));
        assertSkipped(read, "whatsapp", "country-not-allowed");
        assertFailed(read, "country-not-allowed");
        assertThat(messagesTo(to)).isZero();
    }

    @Test
    void resendWithNextWhenOnlyPhoneStepsRemainAfterASimSwapIsRefused_S07() {
        camara.answerNext(Answer.swapped(true));
        TestApp app = simSwapApp();
        String to = TestApps.newPhone();
        String id = startedWorkflow(app, to, "sms:600", "whatsapp:600", "voice");
        String code = codeIn(to, 1);
        assertThat(read(app, id).text("channel")).isEqualTo("whatsapp");
        Snapshot before = snapshot(app, id, to);

        Response refused = resend(app, id, Map.of("next", true));
        assertProblem(refused, 403, "phone-channels-blocked");
        assertProblem(resend(app, id, Map.of("channel", "voice")), 403, "phone-channels-blocked");

        assertUnchanged(app, id, to, before);
        assertThat(sentSteps(id, "voice")).isZero();
        assertApproves(app, id, code);
    }
}
