package dev.otpgate.delivery.smpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.otpgate.delivery.DeliveryEvents;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.support.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * SMPP receipts through the whole server, from an SMSC on jSMPP's server side to the step and the workflow: a
 * receipt that overtakes the recording of its send, and a message id the SMSC has used before.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.providers.smsc.type=smpp", "otpgate.providers.smsc.host=127.0.0.1",
                "otpgate.providers.smsc.system-id=otpgate", "otpgate.providers.smsc.password=pw-ok1",
                "otpgate.providers.smsc.source-address=OTPGATE"})
class SmppReceiptTests extends ServerTestSupport {

    static final TestSmsc SMSC = smsc();

    static TestSmsc smsc() {
        try {
            return new TestSmsc();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void smscPort(DynamicPropertyRegistry registry) {
        TestDatabases.h2(registry);
        registry.add("otpgate.providers.smsc.port", SMSC::port);
    }

    @AfterAll
    static void stopSmsc() throws IOException {
        SMSC.close();
    }

    @BeforeEach
    void bound() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !SMSC.sessions.isEmpty());
    }

    @AfterEach
    void answerPlainly() {
        SMSC.receiptBeforeResponse = null;
        SMSC.messageId = null;
    }

    @Test
    void receiptWhenItArrivesBeforeTheSendIsRecordedThenTheStepEndsDelivered() {
        SMSC.receiptBeforeResponse = "DELIVRD";
        TestApp app = fixtures.app(Map.of());

        String id = fixtures.start(app, TestApps.newPhone());

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(step(app, id, 0).get("status").asString()).isEqualTo("delivered"));
    }

    @Test
    void receiptWhenAnUndeliveredOneArrivesBeforeTheSendIsRecordedThenTheWorkflowMovesToItsNextStep() {
        SMSC.receiptBeforeResponse = "UNDELIV";
        TestApp app = fixtures.app(Map.of("allowed_channels", List.of("sms", "whatsapp")));
        Response started = api.post("/v1/verifications", app.key(), Map.of("to", TestApps.newPhone(),
                "workflow", List.of(Map.of("channel", "sms", "timeout_seconds", 600), Map.of("channel", "whatsapp"))));
        String id = started.text("id");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Response read = api.get("/v1/verifications/" + id, app.key());
            assertThat(read.json().get("steps").get(0).get("status").asString()).isEqualTo("undelivered");
            assertThat(read.text("channel")).isEqualTo("whatsapp");
            assertThat(read.json().get("steps")).hasSize(2);
        });
        assertThat(events.of(DeliveryEvents.MessageUndelivered.class))
                .filteredOn(event -> event.verificationId().equals(id))
                .singleElement()
                .satisfies(event -> {
                    assertThat(event.step()).isEqualTo(1);
                    assertThat(event.reason()).isEqualTo("undelivered: UNDELIV err:034");
                });
    }

    @Test
    void receiptWhenTheSmscReusedTheMessageIdThenTheNewestStepWithItTakesIt() {
        String reused = "r" + System.nanoTime();
        SMSC.messageId = reused;
        TestApp app = fixtures.app(Map.of());
        String older = fixtures.start(app, TestApps.newPhone());
        awaitSent(app, older);
        String newer = fixtures.start(app, TestApps.newPhone());
        awaitSent(app, newer);

        TestSmsc.deliverReceipt(SMSC.session(), reused, "DELIVRD");

        // deliverReceipt returns once the provider answered, which it does after handing the receipt on.
        assertThat(step(app, newer, 0).get("status").asString()).isEqualTo("delivered");
        assertThat(step(app, older, 0).get("status").asString()).isEqualTo("sent");
    }

    @Test
    void receiptWhenItsMessageIdWasLastSentMoreThanSevenDaysAgoThenNoStepTakesIt() {
        String id = "w" + System.nanoTime();
        SMSC.messageId = id;
        TestApp app = fixtures.app(Map.of());
        String verification = fixtures.start(app, TestApps.newPhone());
        awaitSent(app, verification);
        clock.advance(Duration.ofDays(7).plusMinutes(1));

        TestSmsc.deliverReceipt(SMSC.session(), id, "DELIVRD");

        assertThat(jdbc.sql("select status from delivery_steps where verification_id = ?").param(verification)
                .query(String.class).single()).isEqualTo("sent");
    }

    private void awaitSent(TestApp app, String id) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(step(app, id, 0).get("status").asString()).isEqualTo("sent"));
    }

    private JsonNode step(TestApp app, String id, int index) {
        return api.get("/v1/verifications/" + id, app.key()).json().get("steps").get(index);
    }
}
