package dev.otpgate.delivery.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.HttpProviderContract;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.SendResult;
import dev.otpgate.delivery.smpp.TestCertificates;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.json.JsonMapper;

/** The generic HTTP adapter against WireMock: a Kannel-shaped GET, a JSON gateway and a form peer. */
@ExtendWith(OutputCaptureExtension.class)
class HttpGatewayProviderTests extends HttpProviderContract {

    static final String PASSWORD = "kannel-P@ss word";
    static final String TOKEN = "gw-token-0123456789";
    static final String NUMBER = "+447700900123";
    static final String TEXT = "Código 482913 \"ok\" & más\n✓";

    String http() {
        return httpUrl().toString();
    }

    Map<String, String> kannel() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("otpgate.providers.kannel.type", "http");
        config.put("otpgate.providers.kannel.method", "GET");
        config.put("otpgate.providers.kannel.url", http() + "/cgi-bin/sendsms?username=otpgate&password=kannel-P%40ss%20word"
                + "&from={from}&to={to}&text={text}&charset=UTF-8&coding=2&dlr-mask=3"
                + "&dlr-url=https%3A%2F%2Frelay.internal%2Fkannel%3Fref%3D{reference}%26status%3D%25d");
        config.put("otpgate.providers.kannel.from", "Acme");
        config.put("otpgate.providers.kannel.success-status", "202");
        config.put("otpgate.providers.kannel.insecure-http", "true");
        config.put("otpgate.providers.kannel.read-timeout", "5s");
        config.put("otpgate.providers.vonage.type", "vonage");
        return config;
    }

    Map<String, String> jsonGateway() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("otpgate.providers.gw.type", "http");
        config.put("otpgate.providers.gw.url", http() + "/v2/messages/{channel}");
        config.put("otpgate.providers.gw.headers.Authorization", "Bearer " + TOKEN);
        config.put("otpgate.providers.gw.headers.X-Reference", "{reference}");
        config.put("otpgate.providers.gw.content-type", "application/json");
        config.put("otpgate.providers.gw.body", """
                {"to":"{to}","digits":"{to_digits}","from":"{from}","text":"{text}","code":"{code}",\
                "ref":"{reference}","channel":"{channel}","locale":"{locale}","encoding":"{encoding}"}""");
        config.put("otpgate.providers.gw.message-id-pointer", "/data/id");
        config.put("otpgate.providers.gw.channels[0]", "sms");
        config.put("otpgate.providers.gw.channels[1]", "voice");
        config.put("otpgate.providers.gw.priority", "5");
        config.put("otpgate.providers.gw.insecure-http", "true");
        config.put("otpgate.providers.gw.read-timeout", "5s");
        return config;
    }

    static Provider channel(Map<String, String> config, boolean production) {
        return channel(config, production, null);
    }

    static Provider channel(Map<String, String> config, boolean production, SslBundles bundles) {
        List<Provider> channels = new HttpProviders(new Binder(new MapConfigurationPropertySource(config)),
                production, Clock.systemUTC(), bundles).providers();
        assertThat(channels).hasSize(1);
        return channels.getFirst();
    }

    /** The JSON gateway at the peer's HTTPS port with {@code ssl-bundle: <bundleName>}. */
    Map<String, String> jsonGatewayOverHttps(URI httpsUrl, String bundleName) {
        Map<String, String> config = jsonGateway();
        config.put("otpgate.providers.gw.url", httpsUrl + "/v2/messages/{channel}");
        config.remove("otpgate.providers.gw.insecure-http");
        config.put("otpgate.providers.gw.ssl-bundle", bundleName);
        return config;
    }

    /**
     * Runs {@code test} with the application's SSL bundles as Spring Boot builds them from
     * {@code spring.ssl.bundle.pem.*}: {@code peer-ca} trusts the peer's CA, {@code other-ca} another CA.
     */
    void withPemBundles(Consumer<SslBundles> test) {
        Path peerPem = peerCa.writePem(tls);
        Path otherPem = TestCertificates.Authority.create("another test CA").writePem(tls);
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
                .withPropertyValues("spring.ssl.bundle.pem.peer-ca.truststore.certificate=file:" + peerPem,
                        "spring.ssl.bundle.pem.other-ca.truststore.certificate=file:" + otherPem)
                .run(context -> test.accept(context.getBean(SslBundles.class)));
    }

    static OutboundMessage message(String channel, String from) {
        return new OutboundMessage("app_1", channel, NUMBER, from, null, TEXT, null, "482913", "pt-BR", "UCS-2", 1,
                "vrf_01JABCDEF/2");
    }

    static DeliveryException sendSmsFails(Provider channel) {
        try {
            channel.send(message("sms", null));
        } catch (DeliveryException e) {
            return e;
        }
        throw new AssertionError("the send succeeded");
    }

    @Override
    protected Provider provider() {
        Map<String, String> config = jsonGateway();
        config.put("otpgate.providers.gw.read-timeout", TIMEOUT.toMillis() + "ms");
        return channel(config, false);
    }

    @Override
    protected Provider providerAgainstUntrustedTls() {
        Map<String, String> config = jsonGateway();
        config.put("otpgate.providers.gw.url", untrustedHttpsUrl() + "/v2/messages/{channel}");
        config.remove("otpgate.providers.gw.insecure-http");
        return channel(config, true);
    }

    @Override
    protected Provider providerTrusting(URI httpsUrl, SslBundles bundles, String bundleName) {
        return channel(jsonGatewayOverHttps(httpsUrl, bundleName), true, bundles);
    }

    @Override
    protected MappingBuilder endpoint() {
        return post(urlPathEqualTo("/v2/messages/sms"));
    }

    @Override
    protected String acceptedBody() {
        return "{\"data\":{\"id\":\"msg-42\",\"state\":\"queued\"}}";
    }

    @Override
    protected String acceptedMessageId() {
        return "msg-42";
    }

    @Override
    protected void peerAnswersPermanentFailure() {
        answer(422, "{\"error\":\"bad number " + PHONE + "\"}");
    }

    @Override
    protected void peerAnswersTemporaryFailure() {
        answer(503, "{\"error\":\"try again\"}");
    }

    @Override
    protected List<String> credentials() {
        return List.of(TOKEN);
    }

    @Test
    void kannelSendsmsGet() throws Exception {
        peer.stubFor(get(urlPathEqualTo("/cgi-bin/sendsms"))
                .willReturn(aResponse().withStatus(202).withBody("0: Accepted for delivery")));
        Provider channel = channel(kannel(), false);
        assertThat(channel.id()).isEqualTo("kannel");
        assertThat(channel.serves("sms")).isTrue();
        assertThat(channel.serves("voice")).isFalse();
        assertThat(channel.priority()).isEqualTo(100);

        SendResult result = channel.send(message("sms", null));

        assertThat(result).isEqualTo(new SendResult("vrf_01JABCDEF/2", null, "UCS-2"));
        LoggedRequest request = peer.getAllServeEvents().getFirst().getRequest();
        assertThat(request.getMethod().getName()).isEqualTo("GET");
        assertThat(request.getBody()).isEmpty();
        Map<String, String> query = new HashMap<>();
        String rawQuery = request.getUrl().substring(request.getUrl().indexOf('?') + 1);
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            // percent-decoding only: a literal + must have been sent as %2B
            query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1).replace("+", "%2B"),
                    StandardCharsets.UTF_8));
        }
        assertThat(query).isEqualTo(Map.of(
                "username", "otpgate",
                "password", PASSWORD,
                "from", "Acme",
                "to", NUMBER,
                "text", TEXT,
                "charset", "UTF-8",
                "coding", "2",
                "dlr-mask", "3",
                "dlr-url", "https://relay.internal/kannel?ref=vrf_01JABCDEF/2&status=%d"));
        assertThat(rawQuery).contains("to=%2B447700900123");
    }

    @Test
    void jsonGatewayPost() throws Exception {
        peer.stubFor(post(urlPathEqualTo("/v2/messages/voice"))
                .willReturn(okJson("{\"data\":{\"id\":\"msg-42\",\"state\":\"queued\"}}").withStatus(201)));
        Provider channel = channel(jsonGateway(), false);
        assertThat(channel.serves("voice")).isTrue();
        assertThat(channel.serves("sms")).isTrue();
        assertThat(channel.priority()).isEqualTo(5);

        SendResult result = channel.send(message("voice", "MyApp"));

        assertThat(result).isEqualTo(new SendResult("msg-42", null, "UCS-2"));
        LoggedRequest request = peer.getAllServeEvents().getFirst().getRequest();
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.getHeader("X-Reference")).isEqualTo("vrf_01JABCDEF/2");
        Map<String, Object> body = JsonMapper.builder().build().readValue(request.getBody(), Map.class);
        assertThat(body).isEqualTo(Map.of(
                "to", NUMBER,
                "digits", "447700900123",
                "from", "MyApp",
                "text", TEXT,
                "code", "482913",
                "ref", "vrf_01JABCDEF/2",
                "channel", "voice",
                "locale", "pt-BR",
                "encoding", "UCS-2"));
    }

    @Test
    void formGatewayPost() throws Exception {
        peer.stubFor(post(urlPathEqualTo("/send")).willReturn(aResponse().withStatus(200).withBody("OK")));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("otpgate.providers.form.type", "http");
        config.put("otpgate.providers.form.url", http() + "/send");
        config.put("otpgate.providers.form.content-type", "application/x-www-form-urlencoded");
        config.put("otpgate.providers.form.body", "to={to_digits}&sender={from}&message={text}&ref={reference}");
        config.put("otpgate.providers.form.insecure-http", "true");
        Provider channel = channel(config, false);

        assertThat(channel.send(message("sms", "MyApp"))).isEqualTo(new SendResult("vrf_01JABCDEF/2", null, "UCS-2"));

        LoggedRequest request = peer.getAllServeEvents().getFirst().getRequest();
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        Map<String, String> form = new HashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            form.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        assertThat(form).isEqualTo(Map.of(
                "to", "447700900123", "sender", "MyApp", "message", TEXT, "ref", "vrf_01JABCDEF/2"));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void clientErrorsArePermanent(int status, CapturedOutput output) {
        peer.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(status).withBody("bad number " + NUMBER)));
        DeliveryException e = sendSmsFails(channel(jsonGateway(), false));
        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage()).isEqualTo("HTTP " + status);
        assertNoSecrets(e, output);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503})
    void timeoutsThrottlingAndServerErrorsAreTemporary(int status, CapturedOutput output) {
        peer.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(status)));
        DeliveryException e = sendSmsFails(channel(kannel(), false));
        assertThat(e.permanent()).isFalse();
        assertThat(e.getMessage()).isEqualTo("HTTP " + status);
        assertNoSecrets(e, output);
    }

    @Test
    void onlyTheConfiguredSuccessStatusesAreSuccess() {
        peer.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("0: Accepted for delivery")));
        DeliveryException e = sendSmsFails(channel(kannel(), false));
        assertThat(e.permanent()).isFalse();
        assertThat(e.getMessage()).isEqualTo("HTTP 200");
    }

    // S-08: a 2xx answer without the message id where the configuration says it is, is not a success
    @ParameterizedTest
    @ValueSource(strings = {"{\"data\":{}}", "{\"data\":{\"id\":{}}}", "{\"data\":{\"id\":\"\"}}", "[]"})
    void aSuccessWithoutAnIdAtTheMessageIdPointerIsNotAnAcceptance_S08(String body) {
        peer.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody(body)));
        DeliveryException e = sendSmsFails(channel(jsonGateway(), false));
        assertThat(e.permanent()).isFalse();
        assertThat(e.getMessage()).isEqualTo("malformed response");
    }

    @Test
    void plainHttpNeedsOptInAndIsRefusedInProduction_S08() {
        Map<String, String> config = kannel();
        assertThatThrownBy(() -> channel(config, true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("otpgate.providers.kannel.insecure-http");
        config.remove("otpgate.providers.kannel.insecure-http");
        assertThatThrownBy(() -> channel(config, false)).isInstanceOf(IllegalStateException.class)
                .hasMessage("otpgate.providers.kannel.url must use https (set insecure-http: true only for a gateway on this host)");
    }

    @Test
    void sendWhenSslBundleNamesAPemBundleTrustingThePeersCaThenItIsAccepted_S08() {
        withPemBundles(bundles -> {
            String messageId = peerAccepts();

            SendResult result = sendOrFail(channel(jsonGatewayOverHttps(httpsUrl(), "peer-ca"), true, bundles));

            assertThat(result.providerMessageId()).isEqualTo(messageId);
            assertThat(peer.getAllServeEvents()).hasSize(1);
        });
    }

    @Test
    void sendWhenSslBundleNamesAPemBundleTrustingAnotherCaThenTheHandshakeIsRefused_S08() {
        withPemBundles(bundles -> {
            peerAccepts();

            DeliveryException e = sendSmsFails(channel(jsonGatewayOverHttps(httpsUrl(), "other-ca"), true, bundles));

            assertThat(e.getMessage()).isEqualTo("TLS handshake failed");
            assertThat(peer.getAllServeEvents()).isEmpty();
        });
    }

    @Test
    void startWhenSslBundleNamesNoDefinedBundleThenItFailsNamingTheSetting_S08() {
        withPemBundles(bundles -> assertThatThrownBy(
                () -> channel(jsonGatewayOverHttps(httpsUrl(), "peer-cert"), true, bundles))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("otpgate.providers.gw.ssl-bundle names the SSL bundle peer-cert, which is not defined under "
                        + "spring.ssl.bundle"));
    }

    static SendResult sendOrFail(Provider channel) {
        try {
            return channel.send(message("sms", null));
        } catch (DeliveryException e) {
            throw new AssertionError("the send failed: " + e.getMessage(), e);
        }
    }

    @Test
    void headerValueWithALineBreakIsRefused(CapturedOutput output) {
        peer.stubFor(any(anyUrl()).willReturn(okJson("{\"data\":{\"id\":\"msg-42\"}}")));
        Map<String, String> config = jsonGateway();
        config.put("otpgate.providers.gw.headers.X-Text", "{text}");
        DeliveryException e = sendSmsFails(channel(config, false));
        assertThat(e.permanent()).isTrue();
        assertThat(e.getMessage()).isEqualTo("header X-Text would hold a line break");
        assertThat(peer.getAllServeEvents()).isEmpty();
        assertNoSecrets(e, output);
    }

    @Test
    void configurationMistakesFailStartupNamingTheProperty() {
        assertStartupFails(Map.of("otpgate.providers.gw.url", http() + "/send?to={number}"),
                "otpgate.providers.gw.url uses an unknown placeholder {number}");
        assertStartupFails(Map.of("otpgate.providers.gw.body", "{\"to\":\"{phone}\"}"),
                "otpgate.providers.gw.body uses an unknown placeholder {phone}");
        assertStartupFails(Map.of("otpgate.providers.gw.headers.X-Ref", "{ref}"),
                "otpgate.providers.gw.headers.X-Ref uses an unknown placeholder {ref}");
        assertStartupFails(Map.of("otpgate.providers.gw.url", "http://{to}.example.com/send"),
                "otpgate.providers.gw.url may hold placeholders in its path and query only");
        assertStartupFails(Map.of("otpgate.providers.gw.content-type", "text/plain"),
                "otpgate.providers.gw.content-type must be application/json or application/x-www-form-urlencoded");
        assertStartupFails(Map.of("otpgate.providers.gw.method", "GET"), "otpgate.providers.gw.body needs method POST");
        assertStartupFails(Map.of("otpgate.providers.gw.method", "PUT"), "otpgate.providers.gw.method must be GET or POST");
        assertStartupFails(Map.of("otpgate.providers.gw.body", "{\"to\":{to}}"),
                "otpgate.providers.gw.body is not valid JSON once its placeholders are filled");
        assertStartupFails(Map.of("otpgate.providers.gw.message-id-pointer", "data.id"),
                "otpgate.providers.gw.message-id-pointer is not a JSON Pointer (RFC 6901), such as /id");
        assertStartupFails(Map.of("otpgate.providers.gw.channels[1]", "whatsapp"),
                "otpgate.providers.gw.channels: an http provider serves sms and voice, not whatsapp");
        Map<String, String> config = jsonGateway();
        config.remove("otpgate.providers.gw.url");
        assertThatThrownBy(() -> channel(config, false)).isInstanceOf(IllegalStateException.class)
                .hasMessage("otpgate.providers.gw.url is required for an http provider");
    }

    void assertStartupFails(Map<String, String> change, String message) {
        Map<String, String> config = jsonGateway();
        config.putAll(change);
        assertThatThrownBy(() -> channel(config, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(message);
    }

    // S-45: the password, the token, the number and the text stay out of messages and log lines
    static void assertNoSecrets(DeliveryException e, CapturedOutput output) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD).doesNotContain("P%40ss")
                    .doesNotContain(TOKEN).doesNotContain("447700900123").doesNotContain("482913");
        }
        assertThat(output.getAll()).doesNotContain(PASSWORD).doesNotContain("P%40ss").doesNotContain(TOKEN)
                .doesNotContain("447700900123").doesNotContain("482913");
    }
}
