package dev.otpgate.simswap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.apps.DefenceSettings;
import dev.otpgate.apps.DeliverySettings;
import dev.otpgate.delivery.SendGate.Decision;
import dev.otpgate.privacy.Destination;
import dev.otpgate.simswap.CamaraSimSwapStub.Answer;
import dev.otpgate.support.TestClock;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The SIM-swap gate against a CAMARA SIM Swap API stub over real HTTP (S-07, S-08, S-45): the decision for each
 * answer, each CAMARA error and a timeout under both {@code on_error} settings, the request it sends, and the
 * OAuth 2.0 token's caching, expiry and renewal after a 401.
 */
@ExtendWith(OutputCaptureExtension.class)
class SimSwapGateTests {

    static final String NUMBER = "+14155550123";
    static final Destination PHONE = new Destination(Destination.Type.PHONE, NUMBER, "US");
    static final String VERIFICATION = "vrf_01JSIMSWAPTESTS";

    final Map<String, App> apps = new ConcurrentHashMap<>();
    final AppDirectory directory = new AppDirectory() {
        @Override
        public Optional<App> find(String appId) {
            return Optional.ofNullable(apps.get(appId));
        }

        @Override
        public List<App> all() {
            return List.copyOf(apps.values());
        }
    };
    final List<Object> events = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final TestClock clock = new TestClock();
    CamaraSimSwapStub camara;

    @BeforeEach
    void startStub() throws Exception {
        camara = new CamaraSimSwapStub();
    }

    @AfterEach
    void stopStub() {
        camara.close();
    }

    SimSwapProperties properties(Duration readTimeout) {
        return new SimSwapProperties(camara.baseUrl(), camara.tokenUrl(), CamaraSimSwapStub.CLIENT_ID,
                CamaraSimSwapStub.CLIENT_SECRET, "sim-swap:check", Duration.ofSeconds(2), readTimeout, true, null);
    }

    SimSwapGate gate() {
        return gate(Duration.ofSeconds(3));
    }

    SimSwapGate gate(Duration readTimeout) {
        return new SimSwapGate(directory, new CamaraSimSwapClient(properties(readTimeout), false, clock),
                events::add, meters, clock);
    }

    String app(String id, Boolean enabled, int maxAgeHours, String onError) {
        DefenceSettings defences = new DefenceSettings(List.of(), true,
                new DefenceSettings.SimSwap(enabled, maxAgeHours, onError), "monitor", null, false, Map.of());
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        apps.put(id, new App(id, "Test " + id, "Test", 6, 600, 5, 3, 30, List.of("sms", "voice", "whatsapp", "email"),
                "sms", "en", 1, 10, DeliverySettings.DEFAULTS, defences, now, now));
        return id;
    }

    double count(String outcome, String decision) {
        Counter counter = meters.find("otpgate.simswap.checks").tag("outcome", outcome).tag("decision", decision).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void checkWhenNotSwappedThenAllowedAndRequestCarriesNumberAndAppMaxAge_S07() {
        String app = app("app_notswapped", true, 72, "fail-closed");
        camara.answerAlways(Answer.swapped(false));

        Decision decision = gate().check(app, VERIFICATION, PHONE, "sms");

        assertThat(decision).isEqualTo(Decision.ALLOW);
        assertThat(camara.checks()).singleElement().satisfies(request -> {
            assertThat(request.body().get("phoneNumber").stringValue()).isEqualTo(NUMBER);
            assertThat(request.body().get("maxAge").intValue()).isEqualTo(72);
            assertThat(request.authorization()).isEqualTo("Bearer " + CamaraSimSwapStub.TOKEN_PREFIX + "1");
        });
        assertThat(camara.tokenRequestBodies()).singleElement().asString()
                .contains("grant_type=client_credentials").contains("scope=sim-swap%3Acheck");
        assertThat(count("not-swapped", "allow")).isEqualTo(1);
        assertThat(events).isEmpty();
    }

    @Test
    void checkWhenSwappedThenPhoneChannelsBlockedAndEventPublished_S07() {
        String app = app("app_swapped", true, 240, "fail-open");
        camara.answerAlways(Answer.swapped(true));
        clock.fixAt(Instant.parse("2026-03-04T05:06:07Z"));

        Decision decision = gate().check(app, VERIFICATION, PHONE, "voice");

        assertThat(decision).isEqualTo(Decision.block("sim-swap-detected"));
        assertThat(decision.blockPhone()).isTrue();
        assertThat(events).containsExactly(
                new SimSwapDetected(VERIFICATION, app, Instant.parse("2026-03-04T05:06:07Z")));
        assertThat(camara.checks().getFirst().body().get("maxAge").intValue()).isEqualTo(240);
        assertThat(count("swapped", "block")).isEqualTo(1);
    }

    static Stream<Arguments> camaraErrors() {
        return Stream.of(
                Arguments.of(400, "INVALID_ARGUMENT"),
                Arguments.of(401, "UNAUTHENTICATED"),
                Arguments.of(403, "PERMISSION_DENIED"),
                Arguments.of(404, "IDENTIFIER_NOT_FOUND"),
                Arguments.of(422, "SERVICE_NOT_APPLICABLE"),
                Arguments.of(422, "UNSUPPORTED_IDENTIFIER"),
                Arguments.of(429, "QUOTA_EXCEEDED"),
                Arguments.of(500, "INTERNAL"),
                Arguments.of(503, "UNAVAILABLE"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("camaraErrors")
    void checkWhenCamaraErrorAndFailClosedThenBlocked_S07_S08(int status, String code, CapturedOutput output) {
        String app = app("app_closed", true, 24, "fail-closed");
        camara.answerAlways(Answer.error(status, code));

        Decision decision = gate().check(app, VERIFICATION, PHONE, "sms");

        assertThat(decision).isEqualTo(Decision.block("sim-swap-check-failed"));
        assertThat(count("error", "block")).isEqualTo(1);
        assertThat(count("not-swapped", "allow")).isZero();
        assertThat(events).isEmpty();
        assertThat(output.getAll()).contains("answered " + status + " " + code).doesNotContain(NUMBER);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("camaraErrors")
    void checkWhenCamaraErrorAndFailOpenThenAllowedWithWarningAndMetric_S07(int status, String code,
            CapturedOutput output) {
        String app = app("app_open", true, 24, "fail-open");
        camara.answerAlways(Answer.error(status, code));

        Decision decision = gate().check(app, VERIFICATION, PHONE, "sms");

        assertThat(decision).isEqualTo(Decision.ALLOW);
        assertThat(count("error", "allow")).isEqualTo(1);
        assertThat(count("not-swapped", "allow")).isZero();
        assertThat(output.getAll()).contains("WARN").contains("sending anyway (fail-open)").doesNotContain(NUMBER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fail-closed", "fail-open"})
    void checkWhenApiTimesOutThenOnErrorDecides_S07(String onError, CapturedOutput output) {
        String app = app("app_timeout", true, 24, onError);
        camara.answerAlways(Answer.swapped(false).after(Duration.ofSeconds(2)));

        long started = System.nanoTime();
        Decision decision = gate(Duration.ofMillis(300)).check(app, VERIFICATION, PHONE, "sms");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(decision).isEqualTo(onError.equals("fail-open")
                ? Decision.ALLOW : Decision.block("sim-swap-check-failed"));
        assertThat(took).isLessThan(Duration.ofMillis(1500));
        assertThat(count("error", onError.equals("fail-open") ? "allow" : "block")).isEqualTo(1);
        assertThat(output.getAll()).contains("SIM Swap API call failed (timeout)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fail-closed", "fail-open"})
    void checkWhenApiOrTokenEndpointUnreachableThenOnErrorDecides_S07(String onError, CapturedOutput output) {
        String app = app("app_down", true, 24, onError);
        Decision expected = onError.equals("fail-open") ? Decision.ALLOW : Decision.block("sim-swap-check-failed");
        SimSwapGate withToken = gate();
        camara.answerAlways(Answer.swapped(true));
        assertThat(withToken.check(app, VERIFICATION, PHONE, "sms")).isEqualTo(Decision.block("sim-swap-detected"));
        SimSwapGate withoutToken = gate();
        camara.close();

        assertThat(withToken.check(app, VERIFICATION, PHONE, "sms")).isEqualTo(expected);
        assertThat(withoutToken.check(app, VERIFICATION, PHONE, "sms")).isEqualTo(expected);

        assertThat(output.getAll()).contains("SIM Swap API call failed (I/O: ").contains("token request failed (I/O: ");
    }

    static Stream<String> malformedAnswers() {
        return Stream.of("{}", "{\"swapped\": \"false\"}", "{\"swapped\": null}", "{\"swapped\": 0}",
                "{\"Swapped\": false}", "[false]", "false", "not json", "{\"swapped\": false", "",
                "{\"swapped\": true, \"swapped\": false}", "{\"swapped\": false} {\"swapped\": true}");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformedAnswers")
    void checkWhenAnswerIsMalformedThenErrorNeverApproval_S08(String body) {
        String app = app("app_malformed", true, 24, "fail-closed");
        camara.answerAlways(Answer.raw(200, body));

        Decision decision = gate().check(app, VERIFICATION, PHONE, "sms");

        assertThat(decision).isEqualTo(Decision.block("sim-swap-check-failed"));
        assertThat(count("error", "block")).isEqualTo(1);
        assertThat(count("not-swapped", "allow")).isZero();
    }

    @Test
    void checkWhenAnswerIsMalformedAndFailOpenThenCountedAsErrorNotAsNotSwapped_S08() {
        String app = app("app_malformed_open", true, 24, "fail-open");
        camara.answerAlways(Answer.raw(200, "{\"swapped\": \"no\"}"));

        assertThat(gate().check(app, VERIFICATION, PHONE, "sms")).isEqualTo(Decision.ALLOW);
        assertThat(count("error", "allow")).isEqualTo(1);
        assertThat(count("not-swapped", "allow")).isZero();
    }

    @Test
    void checkTwiceThenOneTokenRequest() {
        String app = app("app_cache", true, 24, "fail-closed");
        SimSwapGate gate = gate();

        gate.check(app, VERIFICATION, PHONE, "sms");
        gate.check(app, VERIFICATION + "2", PHONE, "voice");

        assertThat(camara.checks()).hasSize(2);
        assertThat(camara.tokenRequests()).isEqualTo(1);
        assertThat(count("not-swapped", "allow")).isEqualTo(2);
    }

    @Test
    void checkWhenTokenNearsExpiryThenNewTokenRequested() {
        String app = app("app_expiry", true, 24, "fail-closed");
        camara.tokenLifetime(Duration.ofSeconds(600));
        SimSwapGate gate = gate();

        gate.check(app, VERIFICATION, PHONE, "sms");
        clock.advance(Duration.ofSeconds(600).minus(CamaraSimSwapClient.TOKEN_SKEW).minusSeconds(10));
        gate.check(app, VERIFICATION, PHONE, "sms");
        assertThat(camara.tokenRequests()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(20));
        assertThat(gate.check(app, VERIFICATION, PHONE, "sms")).isEqualTo(Decision.ALLOW);

        assertThat(camara.tokenRequests()).isEqualTo(2);
        assertThat(camara.checks().getLast().authorization())
                .isEqualTo("Bearer " + CamaraSimSwapStub.TOKEN_PREFIX + "2");
    }

    @Test
    void checkWhenApiRejectsCachedTokenThenOneNewTokenAndOneRetry() {
        String app = app("app_revoked", true, 24, "fail-closed");
        SimSwapGate gate = gate();
        gate.check(app, VERIFICATION, PHONE, "sms");
        camara.revokeTokens();
        camara.answerAlways(Answer.swapped(true));

        Decision decision = gate.check(app, VERIFICATION, PHONE, "sms");

        assertThat(decision).isEqualTo(Decision.block("sim-swap-detected"));
        assertThat(camara.tokenRequests()).isEqualTo(2);
        assertThat(camara.checks()).extracting(CamaraSimSwapStub.CheckRequest::authorization).containsExactly(
                "Bearer " + CamaraSimSwapStub.TOKEN_PREFIX + "1", "Bearer " + CamaraSimSwapStub.TOKEN_PREFIX + "1",
                "Bearer " + CamaraSimSwapStub.TOKEN_PREFIX + "2");
    }

    @Test
    void checkWhenApiKeepsAnswering401ThenRetriedOnceAndBlocked_S08() {
        String app = app("app_unauthenticated", true, 24, "fail-closed");
        camara.answerAlways(Answer.error(401, "UNAUTHENTICATED"));

        assertThat(gate().check(app, VERIFICATION, PHONE, "sms")).isEqualTo(Decision.block("sim-swap-check-failed"));
        assertThat(camara.checks()).hasSize(2);
        assertThat(camara.tokenRequests()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fail-closed", "fail-open"})
    void checkWhenTokenEndpointRefusesClientThenOnErrorDecides_S07(String onError, CapturedOutput output) {
        String app = app("app_badclient", true, 24, onError);
        SimSwapProperties wrongSecret = new SimSwapProperties(camara.baseUrl(), camara.tokenUrl(),
                CamaraSimSwapStub.CLIENT_ID, "not-the-secret-Yp2", null, Duration.ofSeconds(2), Duration.ofSeconds(3), true, null);
        SimSwapGate gate = new SimSwapGate(directory, new CamaraSimSwapClient(wrongSecret, false, clock), events::add,
                meters, clock);

        Decision decision = gate.check(app, VERIFICATION, PHONE, "sms");

        assertThat(decision).isEqualTo(onError.equals("fail-open")
                ? Decision.ALLOW : Decision.block("sim-swap-check-failed"));
        assertThat(camara.checks()).isEmpty();
        assertThat(output.getAll()).contains("token request failed (401)").doesNotContain("not-the-secret-Yp2");
    }

    @Test
    void checkWhenTokenEndpointAnswersOAuthErrorThenBlockedWithItsCode_S08(CapturedOutput output) {
        String app = app("app_badscope", true, 24, "fail-closed");
        SimSwapProperties wrongScope = new SimSwapProperties(camara.baseUrl(), camara.tokenUrl(),
                CamaraSimSwapStub.CLIENT_ID, CamaraSimSwapStub.CLIENT_SECRET, "sim-swap:retrieve-date",
                Duration.ofSeconds(2), Duration.ofSeconds(3), true, null);
        SimSwapGate gate = new SimSwapGate(directory, new CamaraSimSwapClient(wrongScope, false, clock), events::add,
                meters, clock);

        assertThat(gate.check(app, VERIFICATION, PHONE, "sms")).isEqualTo(Decision.block("sim-swap-check-failed"));
        assertThat(camara.checks()).isEmpty();
        assertThat(output.getAll()).contains("token request failed (invalid_scope)");
    }

    @Test
    void checkWhenAppDoesNotEnableItOrSendIsNotByPhoneThenNoCall() {
        String off = app("app_off", false, 24, "fail-closed");
        String on = app("app_on", true, 24, "fail-closed");
        SimSwapGate gate = gate();
        Destination email = new Destination(Destination.Type.EMAIL, "someone@example.com", null);

        assertThat(gate.check(off, VERIFICATION, PHONE, "sms")).isEqualTo(Decision.ALLOW);
        assertThat(gate.check(on, VERIFICATION, PHONE, "whatsapp")).isEqualTo(Decision.ALLOW);
        assertThat(gate.check(on, VERIFICATION, email, "email")).isEqualTo(Decision.ALLOW);
        assertThat(gate.check("app_unknown", VERIFICATION, PHONE, "sms")).isEqualTo(Decision.ALLOW);

        assertThat(camara.checks()).isEmpty();
        assertThat(camara.tokenRequests()).isZero();
        assertThat(meters.find("otpgate.simswap.checks").counters()).isEmpty();
    }

    @Test
    void checkWhenAppEnablesItButInstanceHasNoApiThenOnErrorDecidesAndItIsLoggedOnce_S07(CapturedOutput output) {
        String closed = app("app_unconfigured_closed", true, 24, "fail-closed");
        String open = app("app_unconfigured_open", true, 24, "fail-open");
        SimSwapGate gate = new SimSwapGate(directory, null, events::add, meters, clock);

        assertThat(gate.check(closed, VERIFICATION, PHONE, "sms")).isEqualTo(Decision.block("sim-swap-check-failed"));
        assertThat(gate.check(closed, VERIFICATION, PHONE, "voice")).isEqualTo(Decision.block("sim-swap-check-failed"));
        assertThat(gate.check(open, VERIFICATION, PHONE, "sms")).isEqualTo(Decision.ALLOW);

        String notice = "App app_unconfigured_closed enables SIM-swap checks but otpgate.sim-swap.base-url is not set";
        assertThat(output.getAll().split(notice, -1)).hasSize(2);
        assertThat(count("error", "block")).isEqualTo(2);
        assertThat(count("error", "allow")).isEqualTo(1);
    }

    @Test
    void startWhenInsecureHttpInProductionModeThenRefused() {
        assertThatThrownBy(() -> new CamaraSimSwapClient(properties(Duration.ofSeconds(3)), true, clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("otpgate.sim-swap.insecure-http is not allowed in production mode");
    }

    @Test
    void startWhenHttpWithoutInsecureHttpOrSecretMissingThenRefusedNamingTheProperty() {
        SimSwapProperties plainHttp = new SimSwapProperties(camara.baseUrl(), camara.tokenUrl(), "id", "secret", null,
                Duration.ofSeconds(2), Duration.ofSeconds(3), false, null);
        SimSwapProperties noSecret = new SimSwapProperties(URI.create("https://camara.example.com"),
                URI.create("https://auth.example.com/token"), "id", null, null, Duration.ofSeconds(2),
                Duration.ofSeconds(3), false, null);

        assertThatThrownBy(() -> new CamaraSimSwapClient(plainHttp, false, clock))
                .hasMessageStartingWith("otpgate.sim-swap.base-url must use https");
        assertThatThrownBy(() -> new CamaraSimSwapClient(noSecret, false, clock))
                .hasMessageStartingWith("otpgate.sim-swap.client-secret is required");
    }

    @Test
    void startWhenSslBundleNamesNoDefinedBundleThenRefusedNamingTheSetting_S08() {
        SimSwapProperties unknownBundle = new SimSwapProperties(URI.create("https://camara.example.com"),
                URI.create("https://auth.example.com/token"), "id", "secret", null, Duration.ofSeconds(2),
                Duration.ofSeconds(3), false, "camara-ca");

        assertThatThrownBy(() -> new CamaraSimSwapClient(unknownBundle, false, clock, new DefaultSslBundleRegistry()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("otpgate.sim-swap.ssl-bundle names the SSL bundle camara-ca, which is not defined under "
                        + "spring.ssl.bundle");
    }

    /**
     * S-45: with trace logging on, after checks that pass, block, fail and renew tokens, no output holds the
     * number, the client secret or a token.
     */
    @Test
    void outputNeverHoldsNumberClientSecretOrToken_S45(CapturedOutput output) {
        Logger spring = (Logger) LoggerFactory.getLogger("org.springframework");
        Logger otpgate = (Logger) LoggerFactory.getLogger("dev.otpgate");
        Level springLevel = spring.getLevel();
        Level otpgateLevel = otpgate.getLevel();
        spring.setLevel(Level.TRACE);
        otpgate.setLevel(Level.TRACE);
        try {
            checksOfEveryKind(output);
        } finally {
            spring.setLevel(springLevel);
            otpgate.setLevel(otpgateLevel);
        }
    }

    private void checksOfEveryKind(CapturedOutput output) {
        String closed = app("app_s45_closed", true, 24, "fail-closed");
        String open = app("app_s45_open", true, 24, "fail-open");
        SimSwapGate gate = gate();
        camara.answerNext(Answer.swapped(false), Answer.swapped(true), Answer.error(404, "IDENTIFIER_NOT_FOUND"),
                Answer.raw(200, "{\"swapped\": \"" + NUMBER + "\"}"), Answer.error(503, "UNAVAILABLE"));

        gate.check(closed, VERIFICATION, PHONE, "sms");
        gate.check(closed, VERIFICATION, PHONE, "sms");
        gate.check(closed, VERIFICATION, PHONE, "sms");
        gate.check(closed, VERIFICATION, PHONE, "sms");
        gate.check(open, VERIFICATION, PHONE, "sms");
        camara.revokeTokens();
        gate.check(open, VERIFICATION, PHONE, "sms");

        assertThat(camara.issuedTokens()).hasSize(2);
        String all = output.getAll() + properties(Duration.ofSeconds(3)) + events
                + meters.getMeters().stream().map(Meter::getId).toList();
        assertThat(all).contains("SIM swap within 24 h for verification " + VERIFICATION)
                .doesNotContain(NUMBER, NUMBER.substring(1), CamaraSimSwapStub.CLIENT_SECRET);
        for (String token : camara.issuedTokens()) {
            assertThat(all).doesNotContain(token);
        }
    }
}
