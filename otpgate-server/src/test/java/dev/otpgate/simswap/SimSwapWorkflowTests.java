package dev.otpgate.simswap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.otpgate.simswap.CamaraSimSwapStub.Answer;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.support.TestDatabases;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * S-07 through the whole server: a swapped SIM blocks the phone channels of that verification before anything is
 * sent, and the workflow moves to its next non-phone step or the verification fails with
 * {@code sim-swap-detected}; when the check cannot be made, the app's {@code on_error} decides.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.sim-swap.client-id=" + CamaraSimSwapStub.CLIENT_ID,
                "otpgate.sim-swap.client-secret=" + CamaraSimSwapStub.CLIENT_SECRET,
                "otpgate.sim-swap.insecure-http=true"})
class SimSwapWorkflowTests extends ServerTestSupport {

    static CamaraSimSwapStub camara;

    @DynamicPropertySource
    static void camara(DynamicPropertyRegistry registry) throws IOException {
        TestDatabases.h2(registry);
        if (camara == null) {
            camara = new CamaraSimSwapStub();
        }
        registry.add("otpgate.sim-swap.base-url", () -> camara.baseUrl().toString());
        registry.add("otpgate.sim-swap.token-url", () -> camara.tokenUrl().toString());
    }

    @AfterAll
    static void stopCamara() {
        camara.close();
    }

    private TestApp app(String onError) {
        return fixtures.app(Map.of("allowed_channels", List.of("sms", "voice", "whatsapp"), "resend_cooldown_seconds", 0,
                "defences", Map.of("sim_swap", Map.of("enabled", true, "max_age_hours", 48, "on_error", onError))));
    }

    @Test
    void startWhenTheSimWasSwappedThenNoPhoneSendAndTheWorkflowMovesToWhatsApp_S07() {
        camara.answerNext(Answer.swapped(true));
        TestApp app = app("fail-closed");
        String to = TestApps.newPhone();
        String id = api.post("/v1/verifications", app.key(), Map.of("to", to, "workflow", List.of(
                Map.of("channel", "sms", "timeout_seconds", 600), Map.of("channel", "voice", "timeout_seconds", 600),
                Map.of("channel", "whatsapp")))).text("id");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(api.get("/v1/verifications/" + id, app.key()).text("channel")).isEqualTo("whatsapp"));
        JsonNode steps = api.get("/v1/verifications/" + id, app.key()).json().get("steps");
        assertThat(steps.get(0).get("status").asString()).isEqualTo("skipped");
        assertThat(steps.get(0).get("reason").asString()).isEqualTo("sim-swap-detected");
        assertThat(steps).as("voice, a phone channel, is skipped too").hasSize(3);
        assertThat(steps.get(1).get("channel").asString()).isEqualTo("voice");
        assertThat(steps.get(1).get("status").asString()).isEqualTo("skipped");
        assertThat(steps.get(1).get("reason").asString()).isEqualTo("phone-channels-blocked");
        assertThat(steps.get(2).get("channel").asString()).isEqualTo("whatsapp");
        await().atMost(Duration.ofSeconds(20)).until(() -> fixtures.messagesTo(to).size() == 1);
        assertThat(events.of(SimSwapDetected.class)).anyMatch(event -> event.verificationId().equals(id));

        Response resend = api.post("/v1/verifications/" + id + "/resend", app.key(), Map.of("channel", "sms"));
        assertThat(resend.status()).as("no way back to SMS").isEqualTo(403);
        assertThat(resend.text("type")).endsWith("/phone-channels-blocked");
    }

    @Test
    void startWhenTheSimWasSwappedAndOnlyPhoneStepsRemainThenTheVerificationFails_S07() {
        camara.answerNext(Answer.swapped(true));
        TestApp app = app("fail-closed");
        String to = TestApps.newPhone();
        String id = fixtures.start(app, to);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Response read = api.get("/v1/verifications/" + id, app.key());
            assertThat(read.text("status")).isEqualTo("failed");
            assertThat(read.text("failure_reason")).isEqualTo("sim-swap-detected");
        });
        assertThat(fixtures.messagesTo(to)).isEmpty();
    }

    @Test
    void startWhenTheSimSwapApiFailsThenFailClosedBlocksAndFailOpenSends_S07() {
        camara.answerNext(Answer.error(503, "UNAVAILABLE"), Answer.error(503, "UNAVAILABLE"));
        TestApp closed = app("fail-closed");
        String closedTo = TestApps.newPhone();
        String closedId = fixtures.start(closed, closedTo);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(api.get("/v1/verifications/" + closedId, closed.key()).text("failure_reason"))
                        .isEqualTo("sim-swap-check-failed"));

        TestApp open = app("fail-open");
        String openTo = TestApps.newPhone();
        String openId = fixtures.start(open, openTo);
        String code = fixtures.codeFor(openTo);
        assertThat(api.post("/v1/verifications/" + openId + "/check", open.key(), Map.of("code", code)).status())
                .isEqualTo(200);
        assertThat(fixtures.messagesTo(closedTo)).isEmpty();
    }
}
