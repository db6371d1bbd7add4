package dev.otpgate.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;

/**
 * Workflows: ordered steps, each with a code of its own (S-04), moving on at a timeout or when the client skips
 * ahead; test destinations. Every channel here goes to the dev inbox, so the steps are observable end to end.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s"})
class WorkflowTests extends ServerTestSupport {

    @org.springframework.beans.factory.annotation.Autowired
    dev.otpgate.platform.Invalidations invalidations;

    private static final Pattern SIX_DIGITS = Pattern.compile("\\b([0-9]{6})\\b");

    private TestApp phoneApp() {
        return fixtures.app(Map.of("allowed_channels", List.of("sms", "whatsapp", "voice")));
    }

    @Test
    void devInboxWhenAMessageIsOlderThanItsRetentionThenItIsDeleted_S43() {
        TestApp app = phoneApp();
        String to = TestApps.newPhone();
        assertThat(api.post("/v1/verifications", app.key(), Map.of("to", to)).status()).isEqualTo(201);
        codeIn(to, 1);

        clock.advance(Duration.ofMinutes(61));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(fixtures.messagesTo(to)).as("the inbox holds codes and numbers in clear for an hour at most")
                        .isEmpty());
    }

    @Test
    void workflowWhenTheFirstStepTimesOutThenTheNextStepSendsANewCodeAndTheOldOneStopsWorking_S04() {
        TestApp app = phoneApp();
        String to = TestApps.newPhone();
        Response started = api.post("/v1/verifications", app.key(), Map.of("to", to,
                "workflow", List.of(Map.of("channel", "sms", "timeout_seconds", 10), Map.of("channel", "whatsapp"))));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        assertThat(started.text("channel")).isEqualTo("sms");
        String id = started.text("id");
        String smsCode = codeIn(to, 1);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get("/v1/verifications/" + id, app.key()).text("channel")).isEqualTo("whatsapp"));
        String whatsappCode = codeIn(to, 2);
        JsonNode steps = api.get("/v1/verifications/" + id, app.key()).json().get("steps");
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).get("channel").asString()).isEqualTo("sms");
        assertThat(steps.get(0).get("status").asString()).isEqualTo("sent");
        assertThat(steps.get(0).get("provider").asString()).isEqualTo("dev-inbox");
        assertThat(steps.get(1).get("channel").asString()).isEqualTo("whatsapp");

        if (!smsCode.equals(whatsappCode)) {
            assertThat(api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", smsCode)).status())
                    .as("the first step's code after the workflow moved on").isEqualTo(422);
        }
        Response approved = api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", whatsappCode));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
    }

    @Test
    void workflowWhenTheLastStepTimesOutThenTheVerificationFails() {
        TestApp app = phoneApp();
        String to = TestApps.newPhone();
        String id = api.post("/v1/verifications", app.key(), Map.of("to", to,
                "workflow", List.of(Map.of("channel", "sms", "timeout_seconds", 10)))).text("id");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Response read = api.get("/v1/verifications/" + id, app.key());
            assertThat(read.text("status")).isEqualTo("failed");
            assertThat(read.text("failure_reason")).isEqualTo("workflow-exhausted");
        });
    }

    @Test
    void resendWithNextThenTheNextStepStartsAtOnceAndWithoutOneThere409() {
        TestApp app = fixtures.app(Map.of("allowed_channels", List.of("sms", "voice"), "resend_cooldown_seconds", 0));
        String to = TestApps.newPhone();
        String id = api.post("/v1/verifications", app.key(), Map.of("to", to,
                "workflow", List.of(Map.of("channel", "sms", "timeout_seconds", 600), Map.of("channel", "voice")))).text("id");
        codeIn(to, 1);

        Response next = api.post("/v1/verifications/" + id + "/resend", app.key(), Map.of("next", true));
        assertThat(next.status()).as(next.body()).isEqualTo(202);
        assertThat(next.text("channel")).isEqualTo("voice");
        await().atMost(Duration.ofSeconds(20)).until(() -> fixtures.messagesTo(to).size() == 2);
        JsonNode steps = api.get("/v1/verifications/" + id, app.key()).json().get("steps");
        assertThat(steps.get(0).get("reason").asString()).isEqualTo("skipped ahead by the client");

        Response none = api.post("/v1/verifications/" + id + "/resend", app.key(), Map.of("next", true));
        assertThat(none.status()).as(none.body()).isEqualTo(409);
        assertThat(none.text("type")).endsWith("/no-next-step");
    }

    @Test
    void startWhenTheAppHasADefaultWorkflowThenItRunsAndStepsThatCannotReachTheDestinationAreDropped() {
        TestApp app = fixtures.app(Map.of("allowed_channels", List.of("sms", "email", "voice"),
                "delivery", Map.of("default_workflow", List.of(Map.of("channel", "email", "timeout_seconds", 30),
                        Map.of("channel", "sms", "timeout_seconds", 30), Map.of("channel", "voice")))));
        Response started = api.post("/v1/verifications", app.key(), Map.of("to", TestApps.newPhone()));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        assertThat(started.text("channel")).isEqualTo("sms");
        assertThat(started.json().get("workflow")).hasSize(2);
        assertThat(started.json().get("workflow").get(1).get("channel").asString()).isEqualTo("voice");
    }

    @Test
    void startWhenTheWorkflowIsInvalidThen400NamingTheField() {
        TestApp app = phoneApp();
        String to = TestApps.newPhone();
        assertInvalid(app, Map.of("to", to, "workflow", List.of(Map.of("channel", "email"))), "workflow[0].channel");
        assertInvalid(app, Map.of("to", to, "workflow", List.of(Map.of("channel", "sms", "timeout_seconds", 5))),
                "workflow[0].timeout_seconds");
        assertInvalid(app, Map.of("to", to, "workflow", List.of()), "workflow");
        assertInvalid(app, Map.of("to", to, "channel", "sms", "workflow", List.of(Map.of("channel", "sms"))), "channel");
        assertInvalid(app, Map.of("to", to, "workflow", List.of(Map.of("channel", "sms"), Map.of("channel", "sms"),
                Map.of("channel", "sms"), Map.of("channel", "sms"), Map.of("channel", "sms"))), "workflow");
        assertInvalid(app, Map.of("to", to, "app_hash", "short"), "app_hash");
        Response notAllowed = api.post("/v1/verifications", app.key(), Map.of("to", to,
                "workflow", List.of(Map.of("channel", "sms"), Map.of("channel", "email"))));
        assertThat(notAllowed.status()).isEqualTo(400);
    }

    @Test
    void startWhenTheDestinationIsATestDestinationThenNothingIsSentAndTheFixedCodeApproves() {
        String to = TestApps.newPhone();
        TestApp app = fixtures.app(Map.of("delivery", Map.of("test_destinations",
                List.of(Map.of("to", to.substring(0, 2) + " " + to.substring(2), "code", "424242")))));
        Response appView = api.get("/v1/apps/" + app.id(), ADMIN_KEY);
        assertThat(appView.body()).doesNotContain("424242").doesNotContain(to.substring(2));

        String id = api.post("/v1/verifications", app.key(), Map.of("to", to)).text("id");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode steps = api.get("/v1/verifications/" + id, app.key()).json().get("steps");
            assertThat(steps.get(0).get("status").asString()).isEqualTo("test");
        });
        assertThat(fixtures.messagesTo(to)).isEmpty();
        Response approved = api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", "424242"));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    }

    @Test
    void testDestinationsWhenStoredThenNeitherTheAddressNorTheFixedCodeIsInTheDatabase_S40_S43() {
        String to = TestApps.newPhone();
        String reviewer = "reviewer+store@example.com";
        TestApp app = fixtures.app(Map.of("allowed_channels", List.of("sms", "email"), "resend_cooldown_seconds", 0,
                "delivery", Map.of("test_destinations", List.of(Map.of("to", to, "code", "917364"),
                        Map.of("to", reviewer, "code", "550013")))));
        String stored = jdbc.sql("select delivery_settings from apps where id = ?").param(app.id()).query(String.class).single();
        assertThat(stored).doesNotContain(to.substring(2)).doesNotContain("917364").doesNotContain("reviewer")
                .doesNotContain("550013");

        // A resend keeps the fixed code, and another alias of the reviewer's mailbox is the same test destination.
        String id = api.post("/v1/verifications", app.key(), Map.of("to", to)).text("id");
        assertThat(api.post("/v1/verifications/" + id + "/resend", app.key(), Map.of()).status()).isEqualTo(202);
        assertThat(api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", "000000")).status())
                .isEqualTo(422);
        assertThat(api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", "917364")).status())
                .isEqualTo(200);
        String mail = api.post("/v1/verifications", app.key(), Map.of("to", "Reviewer@example.com")).text("id");
        assertThat(api.post("/v1/verifications/" + mail + "/check", app.key(), Map.of("code", "550013")).status())
                .isEqualTo(200);
        assertThat(fixtures.messagesTo(to)).isEmpty();
    }

    @Test
    void testDestinationsWhenAnAppWasStoredWithThemInClearThenTheyAreSealedOnFirstReadAndStillWork_S40_S43()
            throws InterruptedException {
        String to = TestApps.newPhone();
        TestApp app = fixtures.app(Map.of());
        jdbc.sql("update apps set delivery_settings = ? where id = ?")
                .params("{\"default_workflow\":[],\"templates\":{},\"test_destinations\":[{\"to\":\"" + to
                        + "\",\"code\":\"246810\"}]}", app.id())
                .update();
        // Each node keeps the apps it read; a change written behind the server's back is announced as a node would.
        invalidations.publish(dev.otpgate.apps.AppDirectory.CHANGED, app.id());
        Response started = api.post("/v1/verifications", app.key(), Map.of("to", to));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        assertThat(api.post("/v1/verifications/" + started.text("id") + "/check", app.key(), Map.of("code", "246810"))
                .status()).isEqualTo(200);
        String stored = jdbc.sql("select delivery_settings from apps where id = ?").param(app.id()).query(String.class).single();
        assertThat(stored).doesNotContain(to.substring(2)).doesNotContain("246810").contains("code_tag");
    }

    @Test
    void appWhenTestDestinationsOrDeliverySettingsAreInvalidThen400NamingTheField() {
        Map<String, Object> badCode = Map.of("delivery", Map.of("test_destinations",
                List.of(Map.of("to", TestApps.newPhone(), "code", "12ab"))));
        assertAppInvalid(badCode, "delivery.test_destinations[0].code");
        assertAppInvalid(Map.of("delivery", Map.of("test_destinations", List.of(Map.of("to", "+1555", "code", "1234")))),
                "delivery.test_destinations[0].to");
        assertAppInvalid(Map.of("delivery", Map.of("sender_id", "Way Too Long Sender")), "delivery.sender_id");
        assertAppInvalid(Map.of("delivery", Map.of("templates", Map.of("sms", Map.of("en", "no placeholder")))),
                "delivery.templates.sms.en");
        assertAppInvalid(Map.of("allowed_channels", List.of("sms"),
                "delivery", Map.of("default_workflow", List.of(Map.of("channel", "voice"))))
                , "delivery.default_workflow[0].channel");
        assertAppInvalid(Map.of("defences", Map.of("fraud_mode", "panic")), "defences.fraud_mode");
        assertAppInvalid(Map.of("defences", Map.of("allowed_countries", List.of("XX"))), "defences.allowed_countries");
    }

    private void assertInvalid(TestApp app, Map<String, Object> body, String field) {
        Response response = api.post("/v1/verifications", app.key(), body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("\"" + field + "\"");
    }

    private void assertAppInvalid(Map<String, Object> settings, String field) {
        Map<String, Object> body = new java.util.HashMap<>(settings);
        body.put("name", "Invalid");
        Response response = api.post("/v1/apps", ADMIN_KEY, body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("\"" + field + "\"");
    }

    /** The code in the {@code count}-th message to {@code to}, whatever the channel's wording. */
    private String codeIn(String to, int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> fixtures.messagesTo(to).size() >= count);
        String body = fixtures.messagesTo(to).getFirst();
        Matcher matcher = SIX_DIGITS.matcher(body.replaceAll("([0-9]), (?=[0-9])", "$1"));
        assertThat(matcher.find()).as("a code in the message").isTrue();
        return matcher.group(1);
    }
}
