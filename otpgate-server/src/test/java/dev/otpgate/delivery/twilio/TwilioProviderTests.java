package dev.otpgate.delivery.twilio;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.BasicCredentials;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.HttpProviderContract;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.SendResult;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundles;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The Twilio adapter against a WireMock peer speaking Twilio's documented request and error shapes. */
class TwilioProviderTests extends HttpProviderContract {

    static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
    static final String TOKEN = "twilio-auth-token-7f3a9c";
    static final String MESSAGES = "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json";
    static final String CALLS = "/2010-04-01/Accounts/" + ACCOUNT + "/Calls.json";
    static final String MESSAGE_SID = "SM0123456789abcdef0123456789abcdef";
    static final String CALL_SID = "CA0123456789abcdef0123456789abcdef";
    static final String TO = "+14155550123";

    TwilioProvider channel(Consumer<Map<String, Object>> changes) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("baseUrl", httpUrl());
        s.put("from", "+14155550100");
        s.put("messagingServiceSid", null);
        s.put("readTimeout", Duration.ofSeconds(5));
        s.put("voice", null);
        s.put("publicUrl", URI.create("https://verify.example.com"));
        changes.accept(s);
        TwilioProperties settings = new TwilioProperties("twilio", List.of("sms", "voice"), 10, (URI) s.get("baseUrl"),
                ACCOUNT, TOKEN, (String) s.get("from"), (String) s.get("messagingServiceSid"), true,
                Duration.ofSeconds(2), (Duration) s.get("readTimeout"), (String) s.get("voice"),
                (String) s.get("sslBundle"));
        return new TwilioProvider("twilio-main", settings, (URI) s.get("publicUrl"), false, Clock.systemUTC(),
                (SslBundles) s.get("bundles"));
    }

    TwilioProvider channel() {
        return channel(s -> {});
    }

    static OutboundMessage sms(String from, String text) {
        return new OutboundMessage("app_1", "sms", TO, from, null, text, null, "482913", "en", "GSM-7", 1, "vrf_1/1");
    }

    static OutboundMessage voice(String text, String locale) {
        return new OutboundMessage("app_1", "voice", TO, null, null, text, null, "482913", locale, null, 0, "vrf_1/2");
    }

    void answer(String path, int status, String body) {
        peer.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    static String created(String sid) {
        return "{\"sid\":\"" + sid + "\",\"status\":\"queued\",\"num_segments\":\"1\",\"error_code\":null}";
    }

    static Map<String, String> form(LoggedRequest request) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    @Override
    protected TwilioProvider provider() {
        return channel(s -> s.put("readTimeout", TIMEOUT));
    }

    @Override
    protected TwilioProvider providerAgainstUntrustedTls() {
        return channel(s -> s.put("baseUrl", untrustedHttpsUrl()));
    }

    @Override
    protected TwilioProvider providerTrusting(URI httpsUrl, SslBundles bundles, String bundleName) {
        return channel(s -> {
            s.put("baseUrl", httpsUrl);
            s.put("sslBundle", bundleName);
            s.put("bundles", bundles);
        });
    }

    @Override
    protected MappingBuilder endpoint() {
        return post(urlEqualTo(MESSAGES));
    }

    @Override
    protected int acceptedStatus() {
        return 201;
    }

    @Override
    protected String acceptedBody() {
        return created(MESSAGE_SID);
    }

    @Override
    protected String acceptedMessageId() {
        return MESSAGE_SID;
    }

    @Override
    protected void peerAnswersPermanentFailure() {
        answer(MESSAGES, 400, "{\"code\":21211,\"message\":\"The 'To' number " + TO + " is not a valid phone number.\","
                + "\"more_info\":\"https://www.twilio.com/docs/errors/21211\",\"status\":400}");
    }

    @Override
    protected void peerAnswersTemporaryFailure() {
        answer(MESSAGES, 503, "{\"code\":20500,\"message\":\"Internal Server Error\",\"status\":503}");
    }

    @Override
    protected List<String> credentials() {
        return List.of(TOKEN, Base64.getEncoder().encodeToString((ACCOUNT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void smsIsPostedAsTwilioDocumentsItWithBasicAuthAndAStatusCallback() throws Exception {
        answer(MESSAGES, 201, created(MESSAGE_SID));

        SendResult result = channel().send(sms(null, "Your code is 482913"));

        assertThat(result).isEqualTo(new SendResult(MESSAGE_SID, 1, "GSM-7"));
        peer.verify(postRequestedFor(urlEqualTo(MESSAGES))
                .withBasicAuth(new BasicCredentials(ACCOUNT, TOKEN))
                .withHeader("Content-Type", com.github.tomakehurst.wiremock.client.WireMock.containing("application/x-www-form-urlencoded")));
        Map<String, String> form = form(peer.findAll(postRequestedFor(urlEqualTo(MESSAGES))).getFirst());
        assertThat(form).containsExactlyInAnyOrderEntriesOf(Map.of(
                "To", TO,
                "From", "+14155550100",
                "Body", "Your code is 482913",
                "StatusCallback", "https://verify.example.com/v1/providers/twilio-main/receipts"));
    }

    @Test
    void smsUsesTheAppsSenderIdOrTheMessagingServiceAndNoCallbackWithoutAPublicUrl() throws Exception {
        answer(MESSAGES, 201, created(MESSAGE_SID));

        channel().send(sms("ACME", "Your code is 482913"));
        channel(s -> {
            s.put("from", null);
            s.put("messagingServiceSid", "MG0123456789abcdef0123456789abcdef");
            s.put("publicUrl", null);
        }).send(sms(null, "Your code is 482913"));

        List<LoggedRequest> requests = peer.findAll(postRequestedFor(urlEqualTo(MESSAGES)));
        assertThat(form(requests.get(0))).containsEntry("From", "ACME").doesNotContainKey("MessagingServiceSid");
        assertThat(form(requests.get(1))).containsEntry("MessagingServiceSid", "MG0123456789abcdef0123456789abcdef")
                .doesNotContainKeys("From", "StatusCallback");
    }

    @Test
    void anInvalidDestinationIsPermanentAndTheReasonNamesOnlyTwiliosCode_S45() {
        answer(MESSAGES, 400, "{\"code\":21211,\"message\":\"The 'To' number " + TO + " is not a valid phone number.\","
                + "\"more_info\":\"https://www.peer.com/docs/errors/21211\",\"status\":400}");

        DeliveryException e = catchDelivery(() -> channel().send(sms(null, "Your code is 482913")));

        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage()).contains("21211").doesNotContain(TO).doesNotContain("valid phone")
                .doesNotContain("482913").doesNotContain(TOKEN);
        assertThat(e.getCause()).isNull();
    }

    @Test
    void unsubscribedAndNonMobileDestinationsArePermanent() {
        for (int code : new int[] {21614, 21408, 21610}) {
            answer(MESSAGES, 400, "{\"code\":" + code + ",\"message\":\"x\",\"status\":400}");
            assertThat(catchDelivery(() -> channel().send(sms(null, "Your code is 482913"))).permanent())
                    .as("error %d", code).isTrue();
        }
    }

    @Test
    void refusedCredentialsRateLimitsAndServerErrorsAreTemporary() {
        Map<Integer, String> answers = Map.of(
                401, "{\"code\":20003,\"message\":\"Authentication Error - invalid username\",\"status\":401}",
                429, "{\"code\":20429,\"message\":\"Too Many Requests\",\"status\":429}",
                500, "{\"code\":20500,\"message\":\"Internal Server Error\",\"status\":500}",
                503, "<html>Service Unavailable</html>");
        answers.forEach((status, body) -> {
            answer(MESSAGES, status, body);
            DeliveryException e = catchDelivery(() -> channel().send(sms(null, "Your code is 482913")));
            assertThat(e.permanent()).as("HTTP %d", status).isFalse();
            assertThat(e.getMessage()).contains("HTTP " + status).doesNotContain(TOKEN).doesNotContain("Authentication Error");
        });
    }

    @Test
    void aSuccessWithoutAMessageSidIsNotAnAcceptance_S08() {
        for (String body : new String[] {"{}", "{\"sid\":42}", "{\"sid\":\"SM1; drop\"}", ""}) {
            answer(MESSAGES, 201, body);
            DeliveryException e = catchDelivery(() -> channel().send(sms(null, "Your code is 482913")));
            assertThat(e.permanent()).as(body).isFalse();
            assertThat(e.getMessage()).as(body).contains("without a message sid");
        }
    }

    @Test
    void plainHttpIsRefusedUnlessAllowedAndNeverInProduction_S08() {
        TwilioProperties settings = new TwilioProperties("twilio", List.of("sms"), 10, httpUrl(), ACCOUNT,
                TOKEN, "+14155550100", null, false, Duration.ofSeconds(1), Duration.ofSeconds(1), null, null);
        assertThatThrownBy(() -> new TwilioProvider("t", settings, null, false, Clock.systemUTC()))
                .hasMessageContaining("otpgate.providers.t.base-url must use https");
        TwilioProperties insecure = new TwilioProperties("twilio", List.of("sms"), 10, httpUrl(), ACCOUNT,
                TOKEN, "+14155550100", null, true, Duration.ofSeconds(1), Duration.ofSeconds(1), null, null);
        assertThatThrownBy(() -> new TwilioProvider("t", insecure, null, true, Clock.systemUTC()))
                .hasMessageContaining("otpgate.providers.t.insecure-http is not allowed in production mode");
    }

    @Test
    void aCallSaysTheMessageTwiceInTheMessageLanguageWithEscapedTwiml() throws Exception {
        answer(CALLS, 201, "{\"sid\":\"" + CALL_SID + "\",\"status\":\"queued\"}");
        String text = "Seu código é 4, 8, 2, 9, 1, 3. <Hangup/> & \"adeus\"";

        SendResult result = channel(s -> s.put("voice", "Polly.Camila")).send(voice(text, "pt-BR"));

        assertThat(result.providerMessageId()).isEqualTo(CALL_SID);
        peer.verify(postRequestedFor(urlEqualTo(CALLS)).withBasicAuth(new BasicCredentials(ACCOUNT, TOKEN)));
        Map<String, String> form = form(peer.findAll(postRequestedFor(urlEqualTo(CALLS))).getFirst());
        assertThat(form).containsEntry("To", TO).containsEntry("From", "+14155550100")
                .containsEntry("StatusCallback", "https://verify.example.com/v1/providers/twilio-main/receipts")
                .containsEntry("StatusCallbackEvent", "completed");

        Document twiml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(form.get("Twiml").getBytes(StandardCharsets.UTF_8)));
        Element response = twiml.getDocumentElement();
        assertThat(response.getTagName()).isEqualTo("Response");
        NodeList says = response.getElementsByTagName("Say");
        assertThat(says.getLength()).isEqualTo(2);
        for (int i = 0; i < says.getLength(); i++) {
            Element say = (Element) says.item(i);
            assertThat(say.getAttribute("language")).isEqualTo("pt-BR");
            assertThat(say.getAttribute("voice")).isEqualTo("Polly.Camila");
            assertThat(say.getTextContent()).isEqualTo(text);
        }
        assertThat(response.getElementsByTagName("Pause").getLength()).isEqualTo(1);
        assertThat(response.getElementsByTagName("Hangup").getLength()).isZero();
    }

    @Test
    void localesMapToTwiliosLanguageCodes() {
        assertThat(TwilioVoice.language("de")).isEqualTo("de-DE");
        assertThat(TwilioVoice.language("en-GB")).isEqualTo("en-GB");
        assertThat(TwilioVoice.language("es-AR")).isEqualTo("es-ES");
        assertThat(TwilioVoice.language("pt")).isEqualTo("pt-BR");
        assertThat(TwilioVoice.language("xx")).isEqualTo("en-US");
    }

    @Test
    void theSignatureMatchesTwiliosDocumentedExample() {
        Map<String, List<String>> params = Map.of("CallSid", List.of("CA1234567890ABCDE"), "Caller", List.of("+14158675310"),
                "Digits", List.of("1234"), "From", List.of("+14158675310"), "To", List.of("+18005551212"));
        String url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assertThat(TwilioSignature.compute("12345", url, params)).isEqualTo("GvWf1cFY/Q7PnoempGyD5oXAezc=");
        assertThat(TwilioSignature.matches("12345", url, params, "GvWf1cFY/Q7PnoempGyD5oXAezc=")).isTrue();
        assertThat(TwilioSignature.matches("12346", url, params, "GvWf1cFY/Q7PnoempGyD5oXAezc=")).isFalse();
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
