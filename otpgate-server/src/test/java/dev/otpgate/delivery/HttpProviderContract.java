package dev.otpgate.delivery;

import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.DeliveryException;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provider contract for adapters that call their vendor over HTTP through {@link ProviderHttp}: one WireMock
 * peer with a plain HTTP port for the provider under test and an HTTPS port whose self-signed certificate the JVM
 * does not trust. Subclasses say where the vendor's API listens, what its acceptance looks like and how it refuses.
 */
public abstract class HttpProviderContract extends ProviderContract {

    protected WireMockServer peer;

    @BeforeEach
    void startPeer() {
        peer = new WireMockServer(options().dynamicPort().dynamicHttpsPort()
                .http2PlainDisabled(true).http2TlsDisabled(true));
        peer.start();
    }

    @AfterEach
    void stopPeer() {
        peer.stop();
    }

    /** The peer's plain HTTP base URL, such as {@code http://localhost:8123}. */
    protected URI httpUrl() {
        return URI.create("http://localhost:" + peer.port());
    }

    /** The peer's HTTPS base URL: its certificate is self-signed. */
    protected URI untrustedHttpsUrl() {
        return URI.create("https://localhost:" + peer.httpsPort());
    }

    /** The vendor's endpoint the adapter calls, such as {@code post(urlEqualTo("/sms/json"))}. */
    protected abstract MappingBuilder endpoint();

    /** The vendor's acceptance, a JSON object, holding {@link #acceptedMessageId()}. */
    protected abstract String acceptedBody();

    protected abstract String acceptedMessageId();

    /** The HTTP status the vendor accepts with. */
    protected int acceptedStatus() {
        return 200;
    }

    protected final void answer(ResponseDefinitionBuilder response) {
        peer.stubFor(endpoint().willReturn(response));
    }

    protected final void answer(int status, String body) {
        answer(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body));
    }

    @Override
    protected String peerAccepts() {
        answer(acceptedStatus(), acceptedBody());
        return acceptedMessageId();
    }

    @Override
    protected void peerNeverAnswers() {
        answer(aResponse().withStatus(acceptedStatus()).withHeader("Content-Type", "application/json")
                .withBody(acceptedBody()).withFixedDelay((int) TIMEOUT.multipliedBy(4).toMillis()));
    }

    @Override
    protected void peerAnswersMalformedSuccess() {
        answer(aResponse().withStatus(acceptedStatus()).withHeader("Content-Type", "text/html")
                .withBody("<html><body>Message queued</body></html>"));
    }

    /** The acceptance with a padding field that takes it to {@link #OVERSIZED_BYTES}, dribbled in 100 chunks. */
    @Override
    protected void peerAnswersOversized() {
        String accepted = acceptedBody().strip();
        String padded = accepted.substring(0, accepted.length() - 1) + ",\"padding\":\""
                + "x".repeat(OVERSIZED_BYTES) + "\"}";
        answer(aResponse().withStatus(acceptedStatus()).withHeader("Content-Type", "application/json")
                .withBody(padded).withChunkedDribbleDelay(100, (int) OVERSIZED_SEND_TIME.toMillis()));
    }

    /** The destination counts in any spelling the vendor takes: with or without its {@code +}, URL-encoded or not. */
    @Override
    protected void assertPeerReceivedOne(String to, String code) {
        List<LoggedRequest> requests = peer.findAll(anyRequestedFor(anyUrl()));
        assertThat(requests).hasSize(1);
        LoggedRequest request = requests.getFirst();
        String seen = URLDecoder.decode(request.getUrl(), StandardCharsets.UTF_8) + "\n"
                + URLDecoder.decode(request.getBodyAsString(), StandardCharsets.UTF_8);
        assertThat(seen).contains(to.startsWith("+") ? to.substring(1) : to).contains(code);
    }

    @Override
    protected void assertPeerReceivedNothing() {
        assertThat(peer.getAllServeEvents()).isEmpty();
    }

    @Override
    protected List<String> loggers() {
        List<String> loggers = new ArrayList<>(super.loggers());
        loggers.addAll(List.of("dev.otpgate.delivery", "org.springframework.web", "org.springframework.http"));
        return loggers;
    }

    @Test
    protected void sendWhenThePeerIsDownThenItFailsTemporarily() throws Exception {
        Provider provider = provider();
        peer.stop();

        DeliveryException e = sendFails(provider);

        assertThat(e.permanent()).as(e.getMessage()).isFalse();
        assertThat(e.getMessage()).endsWith("connection failed");
    }
}
