package dev.otpgate.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.support.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The check cache keeps at most {@code otpgate.verification.check-cache.max-entries} copies, and a verification
 * whose copy was dropped (or never kept) checks exactly as one whose copy is held.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.verification.check-cache.max-entries=3"})
class CheckCacheBoundTests extends ServerTestSupport {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.h2(registry);
    }

    @Autowired
    CheckCache cache;

    static String wrong(String code) {
        return code.equals("000000") ? "111111" : "000000";
    }

    @Test
    void checkWhenMoreVerificationsArePendingThanTheCacheHoldsThenEachChecksAsIfCached() {
        TestApp app = fixtures.app();
        List<String> phones = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String to = TestApps.newPhone();
            phones.add(to);
            ids.add(api.post("/v1/verifications", app.key(), Map.of("to", to)).text("id"));
            assertThat(cache.size()).as("after %d starts", i + 1).isLessThanOrEqualTo(3);
        }
        for (int i = 0; i < ids.size(); i++) {
            String code = fixtures.codeFor(phones.get(i));
            Response wrong = api.post("/v1/verifications/" + ids.get(i) + "/check", app.key(), Map.of("code", wrong(code)));
            assertThat(wrong.status()).isEqualTo(422);
            assertThat(wrong.json().get("attempts_remaining").asInt()).isEqualTo(4);
            Response approved = api.post("/v1/verifications/" + ids.get(i) + "/check", app.key(), Map.of("code", code));
            assertThat(approved.status()).as(approved.body()).isEqualTo(200);
            assertThat(api.post("/v1/verifications/" + ids.get(i) + "/check", app.key(), Map.of("code", code)).status())
                    .isEqualTo(410);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(3);
    }

    @Test
    void startWhenTheCacheIsFullOfExpiredCopiesThenTheyMakeRoomAndTheExpiredAnswerExpired_S09() {
        TestApp app = fixtures.app();
        List<String> ids = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String to = TestApps.newPhone();
            ids.add(api.post("/v1/verifications", app.key(), Map.of("to", to)).text("id"));
            codes.add(fixtures.codeFor(to));
        }
        clock.advance(Duration.ofSeconds(601));
        String fresh = TestApps.newPhone();
        String freshId = api.post("/v1/verifications", app.key(), Map.of("to", fresh)).text("id");
        assertThat(cache.size()).as("the dead copies made room for the live one").isEqualTo(1);
        for (int i = 0; i < ids.size(); i++) {
            Response expired = api.post("/v1/verifications/" + ids.get(i) + "/check", app.key(), Map.of("code", codes.get(i)));
            assertThat(expired.status()).isEqualTo(410);
            assertThat(expired.text("type")).isEqualTo("https://otpgate.dev/problems/verification-expired");
        }
        // The fresh code is not read: its delivery job is due on the scheduler's own clock, 601 s from now.
        Response wrong = api.post("/v1/verifications/" + freshId + "/check", app.key(), Map.of("code", "0000000"));
        assertThat(wrong.status()).as(wrong.body()).isEqualTo(422);
        assertThat(wrong.json().get("attempts_remaining").asInt()).isEqualTo(4);
    }
}
