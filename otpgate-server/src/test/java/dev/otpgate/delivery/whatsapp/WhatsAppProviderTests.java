package dev.otpgate.delivery.whatsapp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.HttpProviderContract;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRejectedException;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRequest;
import dev.otpgate.delivery.provider.SendResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundles;

/** The WhatsApp Cloud API adapter against a WireMock Graph API speaking Meta's documented shapes. */
class WhatsAppProviderTests extends HttpProviderContract {

    static final String TOKEN = "EAAG-whatsapp-access-token-91c2";
    static final String SECRET = "meta-app-secret-3e7d";
    static final String PATH = "/v21.0/106540352242922/messages";
    static final String WAMID = "wamid.HBgLMTQxNTU1NTAxMjMVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";
    static final String TO = "+14155550123";

    WhatsAppProvider channel(URI baseUrl, Duration readTimeout, String appSecret) {
        return channel(baseUrl, readTimeout, appSecret, null, null);
    }

    WhatsAppProvider channel(URI baseUrl, Duration readTimeout, String appSecret, SslBundles bundles, String bundleName) {
        return new WhatsAppProvider("wa", new WhatsAppProperties("whatsapp-cloud", List.of("whatsapp"), 20, baseUrl, "v21.0",
                "106540352242922", TOKEN, "otp_copy_code", Map.of("en", "en_US", "pt-BR", "pt_BR"), appSecret, true,
                Duration.ofSeconds(2), readTimeout, bundleName), false, bundles);
    }

    WhatsAppProvider channel() {
        return channel(httpUrl(), Duration.ofSeconds(5), SECRET);
    }

    static OutboundMessage message(String locale) {
        return new OutboundMessage("app_1", "whatsapp", TO, null, null, "Your code is 482913", null, "482913", locale,
                null, 0, "vrf_1/1");
    }

    static String accepted(String id) {
        return "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"14155550123\",\"wa_id\":\"14155550123\"}],"
                + "\"messages\":[{\"id\":\"" + id + "\"}]}";
    }

    static String error(int status, int code) {
        return "{\"error\":{\"message\":\"(#" + code + ") Message undeliverable to " + TO + "\",\"type\":\"OAuthException\","
                + "\"code\":" + code + ",\"error_subcode\":2494010,\"fbtrace_id\":\"AbCdEf\"}}";
    }

    @Override
    protected WhatsAppProvider provider() {
        return channel(httpUrl(), TIMEOUT, SECRET);
    }

    @Override
    protected WhatsAppProvider providerAgainstUntrustedTls() {
        return channel(untrustedHttpsUrl(), TIMEOUT, SECRET);
    }

    @Override
    protected WhatsAppProvider providerTrusting(URI httpsUrl, SslBundles bundles, String bundleName) {
        return channel(httpsUrl, TIMEOUT, SECRET, bundles, bundleName);
    }

    @Override
    protected OutboundMessage message() {
        return message("en");
    }

    @Override
    protected MappingBuilder endpoint() {
        return post(urlEqualTo(PATH));
    }

    @Override
    protected String acceptedBody() {
        return accepted(WAMID);
    }

    @Override
    protected String acceptedMessageId() {
        return WAMID;
    }

    @Override
    protected void peerAnswersPermanentFailure() {
        answer(400, error(400, 131026));
    }

    @Override
    protected void peerAnswersTemporaryFailure() {
        answer(503, error(503, 1));
    }

    @Override
    protected List<String> credentials() {
        return List.of(TOKEN, SECRET);
    }

    @Test
    void anAuthenticationTemplateIsPostedWithTheCodeInTheBodyAndTheCopyCodeButton() throws Exception {
        answer(200, accepted(WAMID));

        SendResult result = channel().send(message("pt-BR"));

        assertThat(result.providerMessageId()).isEqualTo(WAMID);
        peer.verify(postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(equalToJson("""
                        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "14155550123",
                         "type": "template",
                         "template": {"name": "otp_copy_code", "language": {"code": "pt_BR"},
                           "components": [
                             {"type": "body", "parameters": [{"type": "text", "text": "482913"}]},
                             {"type": "button", "sub_type": "url", "index": "0",
                              "parameters": [{"type": "text", "text": "482913"}]}]}}
                        """)));
    }

    @Test
    void localesMapToConfiguredTemplateLanguagesOrTheirOwnUnderscoredForm() {
        WhatsAppProvider channel = channel();
        assertThat(channel.language("en-GB")).isEqualTo("en_US");
        assertThat(channel.language("pt-BR")).isEqualTo("pt_BR");
        assertThat(channel.language("de")).isEqualTo("de");
        assertThat(channel.language("es-MX")).isEqualTo("es_MX");
    }

    @Test
    void anUndeliverableRecipientIsPermanentAndTheReasonNamesOnlyMetasCode_S45() {
        for (int code : new int[] {131026, 131047, 131051}) {
            answer(400, error(400, code));
            DeliveryException e = catchDelivery(() -> channel().send(message("en")));
            assertThat(e.permanent()).as("error %d", code).isTrue();
            assertThat(e.getMessage()).contains(String.valueOf(code)).doesNotContain(TO).doesNotContain("14155550123")
                    .doesNotContain("undeliverable to").doesNotContain(TOKEN).doesNotContain("AbCdEf");
        }
    }

    @Test
    void rateLimitsAnExpiredTokenAndServerErrorsAreTemporary() {
        Map<Integer, Integer> answers = Map.of(130429, 400, 131056, 400, 4, 400, 80007, 400, 190, 401, 1, 500);
        answers.forEach((code, status) -> {
            answer(status, error(status, code));
            DeliveryException e = catchDelivery(() -> channel().send(message("en")));
            assertThat(e.permanent()).as("error %d", code).isFalse();
            assertThat(e.getMessage()).contains("error " + code).doesNotContain(TOKEN);
        });
        answer(503, "<html>upstream</html>");
        assertThat(catchDelivery(() -> channel().send(message("en"))).getMessage()).isEqualTo("whatsapp is unavailable (HTTP 503)");
    }

    @Test
    void aSuccessWithoutAMessageIdIsNotAnAcceptance_S08() {
        for (String body : new String[] {"{}", "{\"messages\":[]}", "{\"messages\":[{\"id\":7}]}",
                "{\"messages\":[{\"id\":\"not-a-wamid\"}]}"}) {
            answer(200, body);
            DeliveryException e = catchDelivery(() -> channel().send(message("en")));
            assertThat(e.permanent()).as(body).isFalse();
            assertThat(e.getMessage()).as(body).contains("without a message id");
        }
    }

    static String statusWebhook(String status, String errorCode) {
        return """
                {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages",
                 "value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
                 "statuses":[{"id":"%s","status":"%s","timestamp":"1750263773","recipient_id":"14155550123"%s}]}}]}]}
                """.formatted(WAMID, status, errorCode == null ? ""
                        : ",\"errors\":[{\"code\":" + errorCode + ",\"title\":\"Message undeliverable.\"}]");
    }

    static String sign(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    static ReceiptRequest request(byte[] body, String signature) {
        return new ReceiptRequest("https://verify.example.com/v1/providers/wa/receipts",
                signature == null ? Map.of() : Map.of("x-hub-signature-256", List.of(signature)), "application/json", body, Map.of());
    }

    @Test
    void signedStatusWebhooksBecomeReceipts() throws Exception {
        byte[] delivered = statusWebhook("read", null).getBytes(StandardCharsets.UTF_8);
        assertThat(channel().verify(request(delivered, sign(SECRET, delivered)))).containsExactly(new DeliveryReceipt(
                "wa", WAMID, DeliveryReceipt.Status.DELIVERED, null, Instant.ofEpochSecond(1750263773)));
        byte[] failed = statusWebhook("failed", "131026").getBytes(StandardCharsets.UTF_8);
        assertThat(channel().verify(request(failed, sign(SECRET, failed)))).containsExactly(new DeliveryReceipt(
                "wa", WAMID, DeliveryReceipt.Status.UNDELIVERED, "131026", Instant.ofEpochSecond(1750263773)));
    }

    @Test
    void unsignedOrBadlySignedWebhooksAreRefused() throws Exception {
        byte[] body = statusWebhook("delivered", null).getBytes(StandardCharsets.UTF_8);
        byte[] other = statusWebhook("failed", "131026").getBytes(StandardCharsets.UTF_8);
        for (ReceiptRequest request : List.of(request(body, null), request(body, sign("wrong-secret", body)),
                request(body, sign(SECRET, other)), request(body, "sha1=" + sign(SECRET, body).substring(7)))) {
            assertThatThrownBy(() -> channel().verify(request)).isInstanceOf(ReceiptRejectedException.class);
        }
        assertThatThrownBy(() -> channel(httpUrl(), Duration.ofSeconds(1), null)
                .verify(request(body, sign(SECRET, body)))).isInstanceOf(ReceiptRejectedException.class);
    }

    interface Send {
        void run() throws DeliveryException;
    }

    static DeliveryException catchDelivery(Send send) {
        try {
            send.run();
        } catch (DeliveryException e) {
            return e;
        }
        throw new AssertionError("expected a DeliveryException");
    }
}
