package dev.otpgate.delivery.vonage;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.HttpProviderContract;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.SendResult;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.ssl.SslBundles;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Vonage's SMS API against a WireMock peer speaking its documented request and response shapes. */
@ExtendWith(OutputCaptureExtension.class)
class VonageSmsProviderTests extends HttpProviderContract {

    static final String API_SECRET = "s3cr3t-Vonage-Api";
    static final String NUMBER = "+447700900123";
    static final String TEXT = "Your code is 482913";

    static Map<String, String> config(String baseUrl) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("otpgate.providers.nexmo.type", "vonage");
        config.put("otpgate.providers.nexmo.base-url", baseUrl);
        config.put("otpgate.providers.nexmo.api-key", "abcd1234");
        config.put("otpgate.providers.nexmo.api-secret", API_SECRET);
        config.put("otpgate.providers.nexmo.from", "Acme");
        config.put("otpgate.providers.nexmo.insecure-http", "true");
        config.put("otpgate.providers.nexmo.read-timeout", "5s");
        config.put("otpgate.providers.nexmo.priority", "20");
        // another provider type in the same map is left alone
        config.put("otpgate.providers.other.type", "smpp");
        config.put("otpgate.providers.other.host", "smsc.example.com");
        return config;
    }

    static List<Provider> providers(Map<String, String> config, URI publicUrl, boolean production) {
        return providers(config, publicUrl, production, null);
    }

    static List<Provider> providers(Map<String, String> config, URI publicUrl, boolean production, SslBundles bundles) {
        Binder binder = new Binder(new MapConfigurationPropertySource(config));
        return new VonageProviders(binder, publicUrl, production, Clock.systemUTC(), bundles).providers();
    }

    Provider channel() {
        List<Provider> channels = providers(config(httpUrl().toString()), URI.create("https://verify.example.com/"), false);
        assertThat(channels).hasSize(1);
        return channels.getFirst();
    }

    static OutboundMessage message(String from, String encoding) {
        return new OutboundMessage("app_1", "sms", NUMBER, from, null, TEXT, null, "482913", "en", encoding, 1,
                "vrf_01JABCDEF/2");
    }

    static Map<String, String> form(LoggedRequest request) {
        Map<String, String> form = new HashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            String previous = form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            assertThat(previous).as("parameter repeated: " + pair).isNull();
        }
        return form;
    }

    @Override
    protected Provider provider() {
        Map<String, String> config = config(httpUrl().toString());
        config.put("otpgate.providers.nexmo.read-timeout", TIMEOUT.toMillis() + "ms");
        return providers(config, URI.create("https://verify.example.com/"), false).getFirst();
    }

    @Override
    protected Provider providerAgainstUntrustedTls() {
        Map<String, String> config = config(untrustedHttpsUrl().toString());
        config.remove("otpgate.providers.nexmo.insecure-http");
        return providers(config, null, true).getFirst();
    }

    @Override
    protected Provider providerTrusting(URI httpsUrl, SslBundles bundles, String bundleName) {
        Map<String, String> config = config(httpsUrl.toString());
        config.remove("otpgate.providers.nexmo.insecure-http");
        config.put("otpgate.providers.nexmo.ssl-bundle", bundleName);
        return providers(config, null, true, bundles).getFirst();
    }

    @Override
    protected MappingBuilder endpoint() {
        return post(urlEqualTo("/sms/json"));
    }

    @Override
    protected String acceptedBody() {
        return """
                {"message-count":"1","messages":[{"to":"14155550123","message-id":"0A0000000123ABCD1","status":"0",\
                "remaining-balance":"3.14159265","message-price":"0.03330000","network":"12345"}]}""";
    }

    @Override
    protected String acceptedMessageId() {
        return "0A0000000123ABCD1";
    }

    // Vonage answers HTTP 200 and says in the body that the message failed: status 6 is an unroutable message
    @Override
    protected void peerAnswersPermanentFailure() {
        answer(200, """
                {"message-count":"1","messages":[{"status":"6","error-text":"Unroutable message 14155550123"}]}""");
    }

    @Override
    protected void peerAnswersTemporaryFailure() {
        answer(503, "{\"error\":\"unavailable\"}");
    }

    @Override
    protected List<String> credentials() {
        return List.of(API_SECRET);
    }

    @Test
    void sendsTheDocumentedRequestAndReadsTheMessageId() throws Exception {
        peer.stubFor(post(urlEqualTo("/sms/json")).willReturn(okJson("""
                {"message-count":"2","messages":[
                 {"to":"447700900123","message-id":"0A0000000123ABCD1","status":"0","remaining-balance":"3.14159265",
                  "message-price":"0.03330000","network":"12345","client-ref":"vrf_01JABCDEF/2"},
                 {"to":"447700900123","message-id":"0A0000000123ABCD2","status":"0","remaining-balance":"3.11",
                  "message-price":"0.03330000","network":"12345","client-ref":"vrf_01JABCDEF/2"}]}""")));
        Provider channel = channel();
        assertThat(channel.id()).isEqualTo("nexmo");
        assertThat(channel.serves("sms")).isTrue();
        assertThat(channel.serves("voice")).isFalse();
        assertThat(channel.priority()).isEqualTo(20);

        SendResult result = channel.send(message("MyApp", "UCS-2"));

        assertThat(result).isEqualTo(new SendResult("0A0000000123ABCD1", 2, "UCS-2"));
        List<LoggedRequest> requests = peer.findAll(
                com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/sms/json")));
        assertThat(requests).hasSize(1);
        assertThat(requests.getFirst().getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(form(requests.getFirst())).isEqualTo(Map.of(
                "api_key", "abcd1234",
                "api_secret", API_SECRET,
                "from", "MyApp",
                "to", "447700900123",
                "text", TEXT,
                "type", "unicode",
                "client-ref", "vrf_01JABCDEF/2",
                "callback", "https://verify.example.com/v1/providers/nexmo/receipts"));
    }

    @Test
    void usesTheConfiguredSenderAndNoCallbackWithoutPublicUrl() throws Exception {
        peer.stubFor(post(urlEqualTo("/sms/json")).willReturn(okJson("""
                {"message-count":"1","messages":[{"to":"447700900123","message-id":"0A01","status":"0"}]}""")));
        Provider channel = providers(config(httpUrl().toString()), null, false).getFirst();

        SendResult result = channel.send(message(null, "GSM-7"));

        assertThat(result).isEqualTo(new SendResult("0A01", 1, "GSM-7"));
        LoggedRequest request = peer.getAllServeEvents().getFirst().getRequest();
        assertThat(form(request)).isEqualTo(Map.of(
                "api_key", "abcd1234",
                "api_secret", API_SECRET,
                "from", "Acme",
                "to", "447700900123",
                "text", TEXT,
                "client-ref", "vrf_01JABCDEF/2"));
    }

    // 1 throttled, 4 invalid credentials, 5 internal error, 9 quota: the next provider may succeed
    @ParameterizedTest
    @ValueSource(strings = {"1", "4", "5", "8", "9"})
    void temporaryStatusCodes(String status, CapturedOutput output) {
        DeliveryException e = failure(status);
        assertThat(e.permanent()).isFalse();
        assertThat(e.getMessage()).isEqualTo("vonage status " + status);
        assertNoSecrets(e, output);
    }

    // 2 missing and 3 invalid parameters, 6 unroutable, 7 barred, 15 invalid sender, 29 not whitelisted
    @ParameterizedTest
    @ValueSource(strings = {"2", "3", "6", "7", "15", "29"})
    void permanentStatusCodes(String status, CapturedOutput output) {
        DeliveryException e = failure(status);
        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage()).isEqualTo("vonage status " + status);
        assertNoSecrets(e, output);
    }

    DeliveryException failure(String status) {
        peer.stubFor(post(urlEqualTo("/sms/json")).willReturn(okJson("""
                {"message-count":"1","messages":[{"status":"%s","error-text":"Number 447700900123 rejected"}]}"""
                .formatted(status))));
        return sendSmsFails(channel());
    }

    static DeliveryException sendSmsFails(Provider channel) {
        try {
            channel.send(message(null, "GSM-7"));
        } catch (DeliveryException e) {
            return e;
        }
        throw new AssertionError("the send succeeded");
    }

    // S-08: a 2xx answer that is not the documented shape is not a success
    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"message-count\":\"1\",\"messages\":[]}",
            "{\"message-count\":\"1\",\"messages\":[{\"status\":\"0\"}]}",
            "{\"message-count\":\"x\",\"messages\":[{\"status\":\"0\",\"message-id\":\"0A01\"}]}",
            "{\"message-count\":\"1\",\"messages\":[{\"message-id\":\"0A01\"}]}",
            "[1,2]"})
    void malformedSuccessBodyIsTemporary_S08(String body) {
        peer.stubFor(post(urlEqualTo("/sms/json")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body)));
        DeliveryException e = sendSmsFails(channel());
        assertThat(e.permanent()).isFalse();
        assertThat(e.getMessage()).isEqualTo("vonage: malformed response");
    }

    @Test
    void plainHttpNeedsOptInAndIsRefusedInProduction_S08() {
        Map<String, String> config = config(httpUrl().toString());
        assertThatThrownBy(() -> providers(config, null, true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("otpgate.providers.nexmo.insecure-http");
        config.remove("otpgate.providers.nexmo.insecure-http");
        assertThatThrownBy(() -> providers(config, null, false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must use https");
    }

    @Test
    void missingCredentialsFailStartupNamingTheProperty() {
        Map<String, String> config = config(httpUrl().toString());
        config.remove("otpgate.providers.nexmo.api-secret");
        assertThatThrownBy(() -> providers(config, null, false))
                .isInstanceOf(IllegalStateException.class).hasMessage("otpgate.providers.nexmo.api-secret is required for a vonage provider");
        config.put("otpgate.providers.nexmo.api-secret", API_SECRET);
        config.remove("otpgate.providers.nexmo.api-key");
        assertThatThrownBy(() -> providers(config, null, false))
                .isInstanceOf(IllegalStateException.class).hasMessage("otpgate.providers.nexmo.api-key is required for a vonage provider");
        config.put("otpgate.providers.nexmo.api-key", "abcd1234");
        config.put("otpgate.providers.nexmo.signature-secret", "short");
        assertThatThrownBy(() -> providers(config, null, false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("otpgate.providers.nexmo.signature-secret");
    }

    @Test
    void defaultsToVonagesProductionUrl() {
        Map<String, String> config = config(httpUrl().toString());
        config.remove("otpgate.providers.nexmo.base-url");
        config.remove("otpgate.providers.nexmo.insecure-http");
        Binder binder = new Binder(new MapConfigurationPropertySource(config));
        VonageProperties settings = binder.bind("otpgate.providers.nexmo", VonageProperties.class).get();
        assertThat(settings.baseUrl()).isEqualTo(URI.create("https://rest.nexmo.com"));
        assertThat(settings.channels()).containsExactly("sms");
        assertThat(settings.toString()).doesNotContain(API_SECRET);
    }

    // S-45: neither the API secret, the number (with or without +) nor the text leaves in a message or a log line
    static void assertNoSecrets(DeliveryException e, CapturedOutput output) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage()))
                    .doesNotContain(API_SECRET).doesNotContain("447700900123").doesNotContain(TEXT);
        }
        assertThat(output.getAll()).doesNotContain(API_SECRET).doesNotContain("447700900123").doesNotContain(TEXT);
    }
}
