package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.support.TestClock;
import dev.otpgate.support.TestDatabases;
import dev.otpgate.support.TestServerConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The check limits (S-12, S-32) and the per-app, per-country and per-prefix start limits on one node with the
 * in-memory store, over real HTTPS from 127.0.0.1 with no trusted proxy configured (S-27).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s"})
@Import(TestServerConfiguration.class)
class CheckRateLimitTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();
    static final String WRONG = "000000";

    @DynamicPropertySource
    static void serverProperties(DynamicPropertyRegistry registry) {
        TestDatabases.server(registry, ADMIN_KEY);
        TestDatabases.h2(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    OtpgateProperties properties;

    @Autowired
    TestClock clock;

    @Autowired
    MeterRegistry meters;

    ApiClient api;
    TestApps fixtures;

    @BeforeEach
    void connect() {
        api = new ApiClient("https://localhost:" + port, properties.dataDir().resolve("tls/ca.pem"));
        fixtures = new TestApps(api, ADMIN_KEY);
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    /** An app allowing 10 attempts per verification, with {@code limits} as its own rate limits. */
    TestApp app(Map<String, Object> limits) {
        Map<String, Object> all = new HashMap<>(Map.of("starts-per-destination", limit(100, 600)));
        all.putAll(limits);
        return fixtures.app(Map.of("max_attempts", 10, "defences", Map.of("rate_limits", all)));
    }

    static Map<String, Object> limit(int capacity, int periodSeconds) {
        return Map.of("capacity", capacity, "period_seconds", periodSeconds);
    }

    String start(TestApp app, String to) {
        return fixtures.start(app, to);
    }

    Response check(TestApp app, String id, String code) {
        return api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code));
    }

    Response check(TestApp app, String id, String code, String forwardedFor) {
        return api.send("POST", "/v1/verifications/" + id + "/check", app.key(), ApiClient.json(Map.of("code", code)),
                Map.of("Content-Type", "application/json", "X-Forwarded-For", forwardedFor));
    }

    static void assertLocked(Response locked, long minSeconds, long maxSeconds) {
        assertThat(locked.status()).as(locked.body()).isEqualTo(429);
        assertThat(locked.header("Content-Type")).startsWith("application/problem+json");
        assertThat(locked.text("type")).isEqualTo("https://otpgate.dev/problems/destination-locked");
        assertThat(locked.text("policy")).isEqualTo("checks-per-destination");
        assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(minSeconds, maxSeconds);
    }

    @Test
    void hundredConsecutiveFailedChecksAcrossVerificationsLockTheDestinationOutForAGrowingPeriod_S12() {
        TestApp app = app(Map.of());
        String to = TestApps.newPhone();
        String other = TestApps.newPhone();
        for (int v = 0; v < 10; v++) {
            String id = start(app, to);
            for (int attempt = 0; attempt < 10; attempt++) {
                Response wrong = check(app, id, WRONG);
                assertThat(wrong.status()).as("verification %d attempt %d: %s", v, attempt, wrong.body()).isEqualTo(422);
            }
        }
        // The 100th failure locked the destination: a new verification to it cannot be checked for 15 minutes.
        String fresh = start(app, to);
        Response locked = check(app, fresh, WRONG);
        assertLocked(locked, 899, 900);
        assertThat(locked.body()).doesNotContain(to.substring(2));
        assertThat(meters.counter("otpgate.ratelimit.rejections", "policy", "checks-per-destination").count())
                .isGreaterThanOrEqualTo(1);

        // Another destination of the same app is unaffected.
        assertThat(check(app, start(app, other), WRONG).status()).isEqualTo(422);

        // After the lockout one more failure locks it again, for twice as long.
        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        String afterLockout = start(app, to);
        assertThat(check(app, afterLockout, WRONG).status()).isEqualTo(422);
        assertLocked(check(app, afterLockout, WRONG), 1799, 1800);

        clock.advance(Duration.ofMinutes(30).plusSeconds(1));
        String later = start(app, to);
        assertThat(check(app, later, WRONG).status()).isEqualTo(422);
        assertLocked(check(app, later, WRONG), 3599, 3600);
    }

    @Test
    void anApprovalResetsTheConsecutiveFailuresOfItsDestination_S12() {
        TestApp app = app(Map.of("checks-per-destination", limit(3, 86_400)));
        String to = TestApps.newPhone();
        String first = start(app, to);
        assertThat(check(app, first, WRONG).status()).isEqualTo(422);
        assertThat(check(app, first, WRONG).status()).isEqualTo(422);
        Response approved = check(app, first, fixtures.codeFor(to, 1));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);

        String second = start(app, to);
        assertThat(check(app, second, WRONG).status()).isEqualTo(422);
        assertThat(check(app, second, WRONG).status()).isEqualTo(422);
        // Without the reset this would be the fifth failure in a row, and the destination long locked.
        assertThat(check(app, second, WRONG).status()).isEqualTo(422);
        assertLocked(check(app, second, WRONG), 899, 900);
    }

    Response checkFrom(TestApp app, String id, String code, String endUserIp) {
        return api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", code, "end_user", Map.of("ip", endUserIp)));
    }

    @Test
    void checksFromOneEndUserIpAreLimitedAcrossVerificationsAndDestinations_S32() {
        TestApp app = app(Map.of("checks-per-ip", limit(3, 60)));
        for (int i = 0; i < 3; i++) {
            assertThat(checkFrom(app, start(app, TestApps.newPhone()), WRONG, "203.0.113.7").status()).isEqualTo(422);
        }
        Response refused = checkFrom(app, start(app, TestApps.newPhone()), WRONG, "203.0.113.7");
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.text("type")).isEqualTo("https://otpgate.dev/problems/rate-limited");
        assertThat(refused.text("policy")).isEqualTo("checks-per-ip");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"checks-per-ip\";q=3;w=60");
        assertThat(refused.body()).doesNotContain("203.0.113.7");
        // Another person of the same app is unaffected.
        assertThat(checkFrom(app, start(app, TestApps.newPhone()), WRONG, "203.0.113.8").status()).isEqualTo(422);
        // A refused check uses no attempt of the verification.
        clock.advance(Duration.ofSeconds(61));
        assertThat(checkFrom(app, start(app, TestApps.newPhone()), WRONG, "203.0.113.7").json().get("attempts_remaining")
                .asInt()).isEqualTo(9);
    }

    @Test
    void checksFromTheAppsBackendWithoutAnEndUserIpAreNeverLimitedAsOneUser_S32() {
        // 20 wrong checks of 20 verifications from one socket (the app's backend), over a per-IP limit of 3: the
        // backend is not one person. Its X-Forwarded-For, from a peer that is no trusted proxy, changes nothing.
        TestApp app = app(Map.of("checks-per-ip", limit(3, 60)));
        for (int i = 0; i < 20; i++) {
            Response wrong = i % 2 == 0 ? check(app, start(app, TestApps.newPhone()), WRONG)
                    : check(app, start(app, TestApps.newPhone()), WRONG, "198.51.100.9");
            assertThat(wrong.status()).as("check %d: %s", i + 1, wrong.body()).isEqualTo(422);
        }
        Response badIp = api.post("/v1/verifications/" + start(app, TestApps.newPhone()) + "/check", app.key(),
                Map.of("code", WRONG, "end_user", Map.of("ip", "not-an-ip")));
        assertThat(badIp.status()).isEqualTo(400);
        assertThat(badIp.json().get("errors").get(0).get("field").asString()).isEqualTo("end_user.ip");
    }

    @Test
    void startsAreLimitedPerNumberPrefixAndAcceptedStartsCarryTheTightestPolicy_S32() {
        TestApp app = app(Map.of("starts-per-prefix", limit(2, 600)));
        Response first = api.post("/v1/verifications", app.key(), Map.of("to", "+14155550101"));
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.header("RateLimit-Policy")).isEqualTo("\"starts-per-prefix\";q=2;w=600");
        assertThat(first.header("RateLimit")).matches("\"starts-per-prefix\";r=1;t=(\\d+)");
        assertThat(Long.parseLong(first.header("RateLimit").replaceAll(".*t=", ""))).isBetween(1L, 600L);
        assertThat(api.post("/v1/verifications", app.key(), Map.of("to", "+1 415 555 0102")).status()).isEqualTo(201);
        Response refused = api.post("/v1/verifications", app.key(), Map.of("to", "+14155550103"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.text("policy")).isEqualTo("starts-per-prefix");
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(refused.body()).doesNotContain("4155550103");
        assertThat(meters.counter("otpgate.ratelimit.rejections", "policy", "starts-per-prefix").count())
                .isGreaterThanOrEqualTo(1);

        assertThat(api.post("/v1/verifications", app.key(), Map.of("to", "+12125550101")).status()).isEqualTo(201);
    }

    @Test
    void startsAreLimitedPerCountry_S32() {
        TestApp app = app(Map.of("starts-per-country", limit(2, 600)));
        assertThat(api.post("/v1/verifications", app.key(), Map.of("to", "+14155550101")).status()).isEqualTo(201);
        assertThat(api.post("/v1/verifications", app.key(), Map.of("to", "+12125550101")).status()).isEqualTo(201);
        Response refused = api.post("/v1/verifications", app.key(), Map.of("to", "+13055550101"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.text("policy")).isEqualTo("starts-per-country");

        Response elsewhere = api.post("/v1/verifications", app.key(), Map.of("to", "+14165550101"));
        assertThat(elsewhere.status()).as(elsewhere.body()).isEqualTo(201);
        // Another app's budget for the same country is its own.
        TestApp other = app(Map.of("starts-per-country", limit(2, 600)));
        assertThat(api.post("/v1/verifications", other.key(), Map.of("to", "+13055550101")).status()).isEqualTo(201);
    }

    @Test
    void aChangedAppLimitTakesEffectAtOnce_S32() {
        TestApp app = app(Map.of("starts-per-destination", limit(2, 600)));
        String to = TestApps.newPhone();
        start(app, to);
        start(app, to);
        Response refused = api.post("/v1/verifications", app.key(), Map.of("to", to));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"starts-per-destination\";q=2;w=600");

        Response patched = api.patch("/v1/apps/" + app.id(), ADMIN_KEY,
                Map.of("defences", Map.of("rate_limits", Map.of("starts-per-destination", limit(4, 900)))));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        Response after = api.post("/v1/verifications", app.key(), Map.of("to", to));
        assertThat(after.status()).as(after.body()).isEqualTo(201);
    }

    @Test
    void differentSpellingsOfOneNumberShareTheConsecutiveFailuresOfChecksByDestination_S33() {
        TestApp app = app(Map.of("checks-per-destination", limit(3, 86_400)));
        String to = TestApps.newPhone();
        String[] spellings = {to, "+1 " + to.substring(2, 5) + " " + to.substring(5, 8) + " " + to.substring(8),
                "+1 (" + to.substring(2, 5) + ") " + to.substring(5, 8) + "-" + to.substring(8)};
        start(app, to);
        for (String spelling : spellings) {
            Response wrong = api.post("/v1/verifications/check", app.key(), Map.of("to", spelling, "code", WRONG));
            assertThat(wrong.status()).as(spelling + ": " + wrong.body()).isEqualTo(422);
        }
        Response locked = api.post("/v1/verifications/check", app.key(), Map.of("to", "+1." + to.substring(2, 5) + "."
                + to.substring(5, 8) + "." + to.substring(8), "code", WRONG));
        assertLocked(locked, 899, 900);
    }
}
