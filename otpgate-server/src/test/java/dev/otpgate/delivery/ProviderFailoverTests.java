package dev.otpgate.delivery;

import dev.otpgate.delivery.provider.Provider;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.support.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Provider failover and receipts through the whole server: two HTTP gateways for SMS, the preferred one down.
 * The step goes out through the other and records the one tried first; the failed gateway then cools off. An
 * undelivered receipt, signed as Standard Webhooks specifies, moves the workflow to its next step.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.providers.gw-down.type=http", "otpgate.providers.gw-down.priority=10",
                "otpgate.providers.gw-down.insecure-http=true",
                "otpgate.providers.gw-down.body={\"to\":\"{to}\",\"text\":\"{text}\"}",
                "otpgate.providers.gw-up.type=http", "otpgate.providers.gw-up.priority=20",
                "otpgate.providers.gw-up.insecure-http=true",
                "otpgate.providers.gw-up.body={\"to\":\"{to}\",\"text\":\"{text}\",\"ref\":\"{reference}\"}",
                "otpgate.providers.gw-up.receipts.secret=" + ProviderFailoverTests.SECRET})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.extension.ExtendWith(OutputCaptureExtension.class)
class ProviderFailoverTests extends ServerTestSupport {

    @org.springframework.beans.factory.annotation.Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    static final byte[] KEY = "failover-test-webhook-key-32byte".getBytes(StandardCharsets.UTF_8);
    static final String SECRET = "whsec_ZmFpbG92ZXItdGVzdC13ZWJob29rLWtleS0zMmJ5dGU=";
    static final WireMockServer GATEWAYS = new WireMockServer(options().dynamicPort().http2PlainDisabled(true));

    @DynamicPropertySource
    static void gateways(DynamicPropertyRegistry registry) {
        TestDatabases.h2(registry);
        if (!GATEWAYS.isRunning()) {
            GATEWAYS.start();
            GATEWAYS.stubFor(post(urlEqualTo("/down")).willReturn(aResponse().withStatus(503)));
            GATEWAYS.stubFor(post(urlEqualTo("/up")).willReturn(aResponse().withStatus(202)));
        }
        registry.add("otpgate.providers.gw-down.url", () -> GATEWAYS.baseUrl() + "/down");
        registry.add("otpgate.providers.gw-up.url", () -> GATEWAYS.baseUrl() + "/up");
    }

    @AfterAll
    static void stopGateways() {
        GATEWAYS.stop();
    }

    @Test
    @Order(1) // first: the gateway that is down must not be cooling off yet
    void sendWhenThePreferredProviderFailsThenTheNextOneTakesItAndTheFailedOneCoolsOff_S08() {
        assertThat(new String(Base64.getDecoder().decode(SECRET.substring(6)), StandardCharsets.UTF_8))
                .isEqualTo(new String(KEY, StandardCharsets.UTF_8));
        TestApp app = fixtures.app(Map.of());
        String first = fixtures.start(app, TestApps.newPhone());
        JsonNode step = sentStep(app, first);
        assertThat(step.get("provider").asString()).isEqualTo("gw-up");
        assertThat(step.get("providers_tried").get(0).asString()).as("the provider named once").isEqualTo("gw-down: HTTP 503");
        GATEWAYS.verify(1, postRequestedFor(urlEqualTo("/down")));

        String second = fixtures.start(app, TestApps.newPhone());
        JsonNode next = sentStep(app, second);
        assertThat(next.get("provider").asString()).isEqualTo("gw-up");
        assertThat(next.has("providers_tried") && !next.get("providers_tried").isEmpty()).isFalse();
        GATEWAYS.verify(1, postRequestedFor(urlEqualTo("/down")));
    }

    @Test
    @Order(2)
    void receiptWhenTheGatewayReportsUndeliveredThenTheWorkflowMovesToItsNextStep() throws Exception {
        TestApp app = fixtures.app(Map.of("allowed_channels", List.of("sms", "whatsapp")));
        String to = TestApps.newPhone();
        Response started = api.post("/v1/verifications", app.key(), Map.of("to", to,
                "workflow", List.of(Map.of("channel", "sms", "timeout_seconds", 600), Map.of("channel", "whatsapp"))));
        String id = started.text("id");
        sentStep(app, id);

        String body = "{\"message_id\":\"" + id + "/1\",\"status\":\"undelivered\"}";
        Response unsigned = api.postRaw("/v1/providers/gw-up/receipts", null, body, Map.of("Content-Type", "application/json"));
        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(api.get("/v1/verifications/" + id, app.key()).text("channel")).isEqualTo("sms");

        String messageId = "msg_" + System.nanoTime();
        String timestamp = String.valueOf(Instant.now().getEpochSecond());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        String signature = Base64.getEncoder().encodeToString(
                mac.doFinal((messageId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        Map<String, String> headers = Map.of("Content-Type", "application/json", "webhook-id", messageId,
                "webhook-timestamp", timestamp, "webhook-signature", "v1," + signature);
        double replayedBefore = meters.counter("otpgate.delivery.receipts.replayed", "provider", "gw-up").count();
        assertThat(api.postRaw("/v1/providers/gw-up/receipts", null, body, headers).status()).isEqualTo(204);
        // The same receipt again is answered alike, and recognised as a replay: it changes nothing.
        assertThat(api.postRaw("/v1/providers/gw-up/receipts", null, body, headers).status()).isEqualTo(204);
        assertThat(meters.counter("otpgate.delivery.receipts.replayed", "provider", "gw-up").count())
                .isEqualTo(replayedBefore + 1);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Response read = api.get("/v1/verifications/" + id, app.key());
            assertThat(read.text("channel")).isEqualTo("whatsapp");
            assertThat(read.json().get("steps").get(0).get("status").asString()).isEqualTo("undelivered");
            assertThat(read.json().get("steps")).hasSize(2);
        });
        assertThat(fixtures.messagesTo(to)).hasSize(1);
    }

    @Test
    @Order(3)
    void receiptsWhenManyAreRefusedThenTheLogGetsOneLinePerMinuteWithACountAndEveryOneIsCounted(CapturedOutput output) {
        double before = meters.counter("otpgate.delivery.receipts.refused", "provider", "gw-up").count();
        clock.advance(Duration.ofMinutes(2));
        int logged = lines(output);
        for (int i = 0; i < 30; i++) {
            assertThat(api.postRaw("/v1/providers/gw-up/receipts", null, "{\"message_id\":\"x" + i + "\"}",
                    Map.of("Content-Type", "application/json")).status()).isEqualTo(401);
        }
        assertThat(lines(output) - logged).as("one line for a burst of 30").isEqualTo(1);
        assertThat(meters.counter("otpgate.delivery.receipts.refused", "provider", "gw-up").count()).isEqualTo(before + 30);

        clock.advance(Duration.ofSeconds(61));
        assertThat(api.postRaw("/v1/providers/gw-up/receipts", null, "{}", Map.of("Content-Type", "application/json"))
                .status()).isEqualTo(401);
        assertThat(lines(output) - logged).isEqualTo(2);
        assertThat(output.getAll()).contains("(29 more refused since the last line)");
    }

    private static int lines(CapturedOutput output) {
        return (int) output.getAll().lines().filter(line -> line.contains("Refused a receipt for provider gw-up")).count();
    }

    private JsonNode sentStep(TestApp app, String id) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(api.get("/v1/verifications/" + id, app.key()).json().get("steps").get(0).get("status").asString())
                        .isEqualTo("sent"));
        return api.get("/v1/verifications/" + id, app.key()).json().get("steps").get(0);
    }
}
