package dev.otpgate.delivery.twilio;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.support.TestDatabases;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Twilio's status callbacks at {@code POST /v1/providers/{id}/receipts} over real HTTPS: signed as Twilio
 * documents it against {@code otpgate.public-url}, without an API key, refused when unsigned or badly signed, and
 * carried through to the verification a Twilio SMS was sent for (the SMS itself goes to a WireMock Twilio).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.public-url=https://verify.example.com/",
                "otpgate.providers.twilio-test.type=twilio",
                "otpgate.providers.twilio-test.channels=sms",
                "otpgate.providers.twilio-test.account-sid=" + TwilioReceiptsTests.ACCOUNT,
                "otpgate.providers.twilio-test.auth-token=" + TwilioReceiptsTests.TOKEN,
                "otpgate.providers.twilio-test.from=+14155550100",
                "otpgate.providers.twilio-test.insecure-http=true",
                "otpgate.providers.twilio-test.read-timeout=3s",
                "otpgate.providers.wa-test.type=whatsapp-cloud",
                "otpgate.providers.wa-test.phone-number-id=106540352242922",
                "otpgate.providers.wa-test.access-token=" + TwilioReceiptsTests.WA_TOKEN,
                "otpgate.providers.wa-test.template-name=otp_copy_code",
                "otpgate.providers.wa-test.app-secret=" + TwilioReceiptsTests.WA_SECRET,
                "otpgate.providers.wa-test.insecure-http=true",
                "logging.level.dev.otpgate=DEBUG", "logging.level.org.springframework.web=DEBUG"})
@ExtendWith(OutputCaptureExtension.class)
class TwilioReceiptsTests extends ServerTestSupport {

    static final String ACCOUNT = "AC00112233445566778899aabbccddeeff";
    static final String TOKEN = "receipt-test-token-5b81e2d0";
    static final String PATH = "/v1/providers/twilio-test/receipts";
    static final String PUBLIC = "https://verify.example.com" + PATH;
    static final String MESSAGES = "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json";
    static final String WA_TOKEN = "EAAG-receipt-test-access-token";
    static final String WA_SECRET = "receipt-test-app-secret";
    static final AtomicInteger NEXT_SID = new AtomicInteger();

    static final WireMockServer TWILIO = new WireMockServer(options().dynamicPort().http2PlainDisabled(true));

    @DynamicPropertySource
    static void twilio(DynamicPropertyRegistry registry) {
        TestDatabases.h2(registry);
        if (!TWILIO.isRunning()) {
            TWILIO.start();
        }
        registry.add("otpgate.providers.twilio-test.base-url", TWILIO::baseUrl);
        registry.add("otpgate.providers.wa-test.base-url", TWILIO::baseUrl);
    }

    @AfterAll
    static void stopTwilio() {
        TWILIO.stop();
    }

    /** Twilio's scheme, written here independently: Base64(HMAC-SHA1(token, URL + sorted name+value pairs)). */
    static String sign(String token, String url, Map<String, String> params) throws Exception {
        StringBuilder data = new StringBuilder(url);
        params.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> data.append(entry.getKey()).append(entry.getValue()));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    }

    static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    Response callback(String path, Map<String, String> params, String signature) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        if (signature != null) {
            headers.put("X-Twilio-Signature", signature);
        }
        return api.postRaw(path, null, form(params), headers);
    }

    static Map<String, String> statusCallback(String sid, String status, String errorCode) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("SmsSid", sid);
        params.put("SmsStatus", status);
        params.put("MessageStatus", status);
        params.put("To", "+14155550123");
        params.put("MessageSid", sid);
        params.put("AccountSid", ACCOUNT);
        params.put("From", "+14155550100");
        params.put("ApiVersion", "2010-04-01");
        if (errorCode != null) {
            params.put("ErrorCode", errorCode);
        }
        return params;
    }

    static String newSid() {
        return String.format("SM%032x", 0xabc000 + NEXT_SID.incrementAndGet());
    }

    @Test
    void aCallbackSignedAsTwilioDoesAgainstThePublicUrlIsAcceptedWithoutAnApiKey() throws Exception {
        Map<String, String> params = statusCallback(newSid(), "delivered", null);
        Response response = callback(PATH, params, sign(TOKEN, PUBLIC, params));
        assertThat(response.status()).as(response.body()).isEqualTo(204);
    }

    @Test
    void aQueryStringIsPartOfTheSignedUrl() throws Exception {
        Map<String, String> params = statusCallback(newSid(), "sent", null);
        assertThat(callback(PATH + "?attempt=1", params, sign(TOKEN, PUBLIC + "?attempt=1", params)).status()).isEqualTo(204);
        assertThat(callback(PATH + "?attempt=1", params, sign(TOKEN, PUBLIC, params)).status()).isEqualTo(401);
    }

    @Test
    void aMissingWrongOrMisaddressedSignatureIsRefusedWithAProblem() throws Exception {
        Map<String, String> params = statusCallback(newSid(), "delivered", null);
        Map<String, String> tampered = new LinkedHashMap<>(params);
        tampered.put("MessageStatus", "undelivered");
        List<Response> refused = List.of(
                callback(PATH, params, null),
                callback(PATH, params, sign("some-other-token", PUBLIC, params)),
                callback(PATH, tampered, sign(TOKEN, PUBLIC, params)),
                // Signed for the address the request actually reached, not the configured public URL.
                callback(PATH, params, sign(TOKEN, "https://localhost:" + port + PATH, params)),
                callback(PATH, params, "not base64 at all"));
        for (Response response : refused) {
            assertThat(response.status()).as(response.body()).isEqualTo(401);
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.text("type")).isEqualTo("https://otpgate.dev/problems/receipt-signature-invalid");
            assertThat(response.body()).doesNotContain(TOKEN).doesNotContain("+14155550123");
        }
    }

    @Test
    void anUnknownProviderIsNotFound() throws Exception {
        Map<String, String> params = statusCallback(newSid(), "delivered", null);
        Response response = callback("/v1/providers/nobody/receipts", params,
                sign(TOKEN, "https://verify.example.com/v1/providers/nobody/receipts", params));
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.text("type")).isEqualTo("https://otpgate.dev/problems/not-found");
    }

    @Test
    void otherMethodsAndNeighbouringPathsStayClosedWithoutAKey() {
        assertThat(api.send("PUT", PATH, null, "x=1", Map.of("Content-Type", "application/x-www-form-urlencoded")).status())
                .isEqualTo(401);
        assertThat(api.get("/v1/providers/twilio-test", null).status()).isEqualTo(401);
        assertThat(api.postRaw("/v1/providers/twilio-test/receipts/more", null, "x=1",
                Map.of("Content-Type", "application/x-www-form-urlencoded")).status()).isEqualTo(401);
    }

    @Test
    void aWhatsAppStatusWebhookIsAcceptedAsJsonWhenSignedWithTheAppSecret() throws Exception {
        String body = """
                {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
                 "messaging_product":"whatsapp","statuses":[{"id":"wamid.HBgLMTQxNTU1NTAxMjMVAgA","status":"delivered",
                 "timestamp":"1750263773","recipient_id":"14155550123"}]}}]}]}""";
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(WA_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        String path = "/v1/providers/wa-test/receipts";

        assertThat(api.postRaw(path, null, body, Map.of("X-Hub-Signature-256", signature)).status()).isEqualTo(204);
        Response refused = api.postRaw(path, null, body.replace("delivered", "failed"), Map.of("X-Hub-Signature-256", signature));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.text("type")).isEqualTo("https://otpgate.dev/problems/receipt-signature-invalid");
    }

    @Test
    void theBodyLimitStillApplies_S36() throws Exception {
        Map<String, String> params = statusCallback(newSid(), "delivered", null);
        params.put("Padding", "x".repeat(17_000));
        Response response = callback(PATH, params, sign(TOKEN, PUBLIC, params));
        assertThat(response.status()).isEqualTo(413);
    }

    /**
     * A verification sent through the Twilio provider: the worker posts the SMS to WireMock with the status
     * callback URL, the verification shows delivery {@code sent}, and a signed {@code undelivered} callback
     * for Twilio's message sid reaches the delivery steps and fails the verification with Twilio's error code.
     */
    @Test
    void aSignedUndeliveredCallbackForASentMessageFailsItsVerification() throws Exception {
        String sid = newSid();
        String to = TestApps.newPhone();
        TWILIO.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"" + sid + "\",\"status\":\"queued\",\"error_code\":null}")));
        TestApp app = fixtures.app();
        String id = fixtures.start(app, to);

        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(api.get("/v1/verifications/" + id, app.key()).json().get("delivery").get("status").asString())
                        .isEqualTo("sent"));
        LoggedRequest sent = TWILIO.findAll(postRequestedFor(urlEqualTo(MESSAGES))).stream()
                .filter(request -> formOf(request).get("To").equals(to)).findFirst().orElseThrow();
        assertThat(formOf(sent)).containsEntry("StatusCallback", PUBLIC).containsEntry("From", "+14155550100");

        assertStepRecordedWithSid(id, sid);

        Map<String, String> params = statusCallback(sid, "undelivered", "30003");
        params.put("To", to);
        assertThat(callback(PATH, params, sign(TOKEN, PUBLIC, params)).status()).isEqualTo(204);

        Map<String, Object> step = jdbc.sql("select status, reason from delivery_steps where provider = ? and provider_message_id = ?")
                .params("twilio-test", sid).query().singleRow();
        assertThat(step).containsEntry("status", "undelivered").containsEntry("reason", "30003");
        // The receipt is recorded at once; the workflow moves on (here: fails) in a job of its own right after.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/v1/verifications/" + id, app.key()).text("status")).isEqualTo("failed"));
        Response verification = api.get("/v1/verifications/" + id, app.key());
        assertThat(verification.json().get("delivery").get("status").asString()).isEqualTo("undelivered");
        assertThat(verification.json().get("delivery").get("error").asString()).isEqualTo("undelivered: 30003");
        assertThat(verification.text("failure_reason")).isEqualTo("delivery-failed");
        assertThat(verification.body()).doesNotContain(to);
    }

    @Test
    void noLogLineCarriesTheTokenTheNumberOrTheBody_S45(CapturedOutput output) throws Exception {
        aSignedUndeliveredCallbackForASentMessageFailsItsVerification();
        // Refusals are logged once a minute per provider: step past any line another test wrote.
        clock.advance(java.time.Duration.ofMinutes(2));
        aMissingWrongOrMisaddressedSignatureIsRefusedWithAProblem();
        clock.reset();
        aWhatsAppStatusWebhookIsAcceptedAsJsonWhenSignedWithTheAppSecret();
        String logs = output.getAll();
        assertThat(logs).contains("Refused a receipt for provider twilio-test");
        List<String> sentTo = TWILIO.findAll(postRequestedFor(urlEqualTo(MESSAGES))).stream()
                .map(request -> formOf(request)).flatMap(form -> Stream.of(form.get("To"), form.get("Body")))
                .toList();
        assertThat(sentTo).isNotEmpty();
        for (String secret : concat(sentTo, List.of(TOKEN, WA_TOKEN, WA_SECRET, "+14155550123", "14155550123"))) {
            assertThat(logs).as("the server's output").doesNotContain(secret);
        }
    }

    /** The worker recorded the step with Twilio's message sid, which the receipt refers to. */
    void assertStepRecordedWithSid(String verificationId, String sid) {
        Map<String, Object> step = jdbc.sql("select verification_id, status from delivery_steps where provider = ? "
                        + "and provider_message_id = ?").params("twilio-test", sid).query().singleRow();
        assertThat(step).containsEntry("verification_id", verificationId).containsEntry("status", "sent");
    }

    static Map<String, String> formOf(LoggedRequest request) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
