package dev.otpgate.delivery.smpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.ProviderContract;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.SendResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.SessionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The SMPP provider against an SMSC on jSMPP's server side, over a real loopback connection. */
@ExtendWith(OutputCaptureExtension.class)
class SmppProviderTests extends ProviderContract {

    static final String TO = "+14155550123";
    static final String TEXT = "Your code is 482913";

    TestSmsc smsc;
    SmppProvider channel;
    final BlockingQueue<DeliveryReceipt> receipts = new LinkedBlockingQueue<>();

    @BeforeEach
    void smsc() throws Exception {
        smsc = new TestSmsc();
    }

    @AfterEach
    void close() throws Exception {
        CountDownLatch held = smsc.hold;
        if (held != null) {
            held.countDown();
        }
        if (channel != null) {
            channel.close();
        }
        smsc.close();
    }

    SmppProperties properties(String password, int window, int perSecond) {
        return properties(smsc.port(), password, window, perSecond, Duration.ofSeconds(3));
    }

    SmppProperties properties(int port, String password, int window, int perSecond, Duration responseTimeout) {
        return new SmppProperties("smpp", "127.0.0.1", port, smsc.systemId, password, "", "OTPGATE", window,
                perSecond, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMillis(400), responseTimeout, 10,
                List.of("sms"), false, null, false);
    }

    /** {@code tls: true} to {@code host} and the SMSC's port. */
    SmppProperties tls(String host) {
        return new SmppProperties("smpp", host, smsc.port(), smsc.systemId, smsc.password, "", "OTPGATE", 10, 100,
                Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMillis(400), TIMEOUT, 10, List.of("sms"), true,
                null, false);
    }

    /** Replaces the plain SMSC by one that speaks SMPP only inside TLS, presenting {@code identity}. */
    void smscOverTls(TestCertificates.Identity identity) throws Exception {
        smsc.close();
        smsc = new TestSmsc(identity.serverContext());
    }

    SmppProvider bound(SmppProperties properties) throws Exception {
        return bound(properties, null);
    }

    /** Started with {@code trust} as its SSL bundle's context, and bound. */
    SmppProvider bound(SmppProperties properties, SSLContext trust) throws Exception {
        channel = new SmppProvider("smsc1", properties, trust, receipts::add);
        channel.start();
        awaitBound();
        return channel;
    }

    void awaitBound() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!channel.bound() || smsc.sessions.isEmpty()) {
            assertThat(System.nanoTime()).as("bound within 5 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static OutboundMessage sms(String from, String text, String encoding, int segments) {
        return new OutboundMessage("app_1", "sms", TO, from, null, text, null, "482913", "en", encoding, segments,
                "vrf_1/1");
    }

    @Override
    protected SmppProvider provider() throws Exception {
        return channel != null ? channel : bound(properties(smsc.port(), smsc.password, 10, 100, TIMEOUT));
    }

    /** {@code tls: true} with the JVM's trust store, to an SMSC whose certificate comes from a CA of the test's own. */
    @Override
    protected SmppProvider providerAgainstUntrustedTls() throws Exception {
        smscOverTls(TestCertificates.Authority.create("untrusted test CA").issue("localhost", "127.0.0.1"));
        channel = new SmppProvider("smsc1", tls("127.0.0.1"), receipts::add);
        channel.start();
        // A bind has been tried and refused: a send now is not merely ahead of the first try.
        awaitBindFailure();
        assertThat(channel.bindFailure()).isEqualTo("TLS handshake failed");
        return channel;
    }

    @Override
    protected String peerAccepts() {
        smsc.failWith = 0;
        smsc.messageId = "5a0c1f27";
        return "5a0c1f27";
    }

    @Override
    protected void peerAnswersPermanentFailure() {
        smsc.failWith = SMPPConstant.STAT_ESME_RINVDSTADR;
    }

    @Override
    protected void peerAnswersTemporaryFailure() {
        smsc.failWith = SMPPConstant.STAT_ESME_RTHROTTLED;
    }

    @Override
    protected void peerNeverAnswers() {
        smsc.hold = new CountDownLatch(1);
    }

    /** A {@code submit_sm_resp} with ESME_ROK and an empty {@code message_id}: receipts could never find the message. */
    @Override
    protected void peerAnswersMalformedSuccess() {
        smsc.failWith = 0;
        smsc.messageId = "";
    }

    /** A {@code submit_sm_resp} with ESME_ROK, a message id and vendor TLVs of 32,000 octets each, 8 MB in all. */
    @Override
    protected void peerAnswersOversized() {
        peerAccepts();
        OptionalParameter[] padding = new OptionalParameter[OVERSIZED_BYTES / 32_000 + 1];
        for (int i = 0; i < padding.length; i++) {
            padding[i] = new OptionalParameter.OctetString((short) (0x1400 + i), new byte[32_000]);
        }
        smsc.answerParameters = padding;
    }

    /** The SMSC sends the PDU in one go; the provider hangs up on reading its length instead of reading it whole. */
    @Override
    protected void assertOversizedAnswerNotReadWhole(DeliveryException e, Duration elapsed) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!smsc.states.contains(SessionState.CLOSED)) {
            assertThat(System.nanoTime()).as("the provider closed the bind").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Override
    protected void assertPeerReceivedOne(String to, String code) {
        assertThat(smsc.submits).hasSize(1);
        SubmitSm submit = smsc.submits.peek();
        assertThat(submit.getDestAddress()).isEqualTo(to.substring(1));
        assertThat(new String(submit.getShortMessage(), SmppSubmit.GSM)).contains(code);
    }

    /** No submit, and not even a bind: the handshake failed before jSMPP had a connection to send one on. */
    @Override
    protected void assertPeerReceivedNothing() {
        assertThat(smsc.submits).isEmpty();
        assertThat(smsc.bindRequests).hasValue(0);
    }

    @Override
    protected List<String> credentials() {
        return List.of(smsc.password);
    }

    @Test
    void sendOverTlsWhenTheSmscCertificateIsSignedByTheConfiguredCaThenItGoesOut_S08() throws Exception {
        TestCertificates.Authority ca = TestCertificates.Authority.create("smsc test CA");
        smscOverTls(ca.issue("localhost", "127.0.0.1"));

        bound(tls("localhost"), ca.trustBundle().createSslContext());
        SendResult result = channel.send(sms(null, TEXT, "GSM-7", 1));

        assertThat(result.providerMessageId()).isNotBlank();
        assertThat(smsc.submits).hasSize(1);
        assertThat(smsc.bindRequests).hasValue(1);
    }

    @Test
    void bindOverTlsWhenTheSmscCertificateNamesAnotherHostThenItIsRefusedBeforeAnyBind_S08() throws Exception {
        // Signed by the CA the provider trusts (the case above passes with it), but for another host.
        TestCertificates.Authority ca = TestCertificates.Authority.create("smsc test CA");
        smscOverTls(ca.issue("smsc.example.com"));

        channel = new SmppProvider("smsc1", tls("127.0.0.1"), ca.trustBundle().createSslContext(), receipts::add);
        channel.start();
        awaitBindFailure();

        assertThat(channel.bound()).isFalse();
        DeliveryException e = sendFails(channel);
        assertThat(e.permanent()).isFalse();
        assertThat(e.getMessage()).isEqualTo("SMPP not bound (TLS handshake failed)");
        assertThat(smsc.bindRequests).as("no bind, so no password, reached the SMSC").hasValue(0);
    }

    @Test
    void bindOverTlsWhenThePeerSpeaksPlainTcpThenNoPasswordCrossesInClear_S08() throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread reader = Thread.ofVirtual().start(() -> {
                try (Socket peer = plain.accept()) {
                    peer.setSoTimeout(500);
                    byte[] buffer = new byte[4096];
                    for (int n; (n = peer.getInputStream().read(buffer)) > 0; ) {
                        synchronized (received) {
                            received.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // The read timed out or the provider hung up: what arrived is what was sent.
                }
            });
            SmppProperties properties = tls("127.0.0.1");
            channel = new SmppProvider("smsc1", new SmppProperties(properties.type(), properties.host(),
                    plain.getLocalPort(), properties.systemId(), properties.password(), properties.systemType(),
                    properties.sourceAddress(), properties.window(), properties.maxSubmitsPerSecond(),
                    properties.enquireLinkInterval(), properties.rebindBackoff(), properties.rebindBackoffMax(),
                    properties.responseTimeout(), properties.priority(), properties.channels(), true, null, false),
                    receipts::add);
            channel.start();
            reader.join(Duration.ofSeconds(5));
            awaitBindFailure();
        }

        byte[] bytes;
        synchronized (received) {
            bytes = received.toByteArray();
        }
        assertThat(bytes).as("something was sent").isNotEmpty();
        assertThat(bytes[0]).as("a TLS handshake record, not an SMPP PDU").isEqualTo((byte) 0x16);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain(smsc.password);
        assertThat(channel.bound()).isFalse();
    }

    @Test
    void gsmSubmitCarriesSenderDestinationReceiptRequestAndText() throws Exception {
        bound(properties(smsc.password, 10, 100));

        SendResult result = channel.send(sms(null, TEXT + " {€}", "GSM-7", 1));

        SubmitSm submit = smsc.submits.poll(2, TimeUnit.SECONDS);
        assertThat(submit).isNotNull();
        assertThat(submit.getSourceAddr()).isEqualTo("OTPGATE");
        assertThat(submit.getSourceAddrTon()).isEqualTo(TypeOfNumber.ALPHANUMERIC.value()).isEqualTo((byte) 5);
        assertThat(submit.getSourceAddrNpi()).isEqualTo((byte) 0);
        assertThat(submit.getDestAddress()).isEqualTo("14155550123");
        assertThat(submit.getDestAddrTon()).isEqualTo((byte) 1);
        assertThat(submit.getDestAddrNpi()).isEqualTo((byte) 1);
        assertThat(submit.getRegisteredDelivery() & 0x03).isEqualTo(1);
        assertThat(submit.getDataCoding()).isEqualTo((byte) 0);
        assertThat(new String(submit.getShortMessage(), SmppSubmit.GSM)).isEqualTo(TEXT + " {€}");
        assertThat(submit.getShortMessage()).contains(0x1B);
        assertThat(result.providerMessageId()).isNotBlank();
        assertThat(result.segments()).isEqualTo(1);
        assertThat(result.encoding()).isEqualTo("GSM-7");
    }

    @Test
    void ucs2SubmitFromANumberUsesDataCoding8AndInternationalSender() throws Exception {
        bound(properties(smsc.password, 10, 100));

        SendResult result = channel.send(sms("+14155550999", "Ваш код 482913", "UCS-2", 1));

        SubmitSm submit = smsc.submits.poll(2, TimeUnit.SECONDS);
        assertThat(submit.getSourceAddr()).isEqualTo("14155550999");
        assertThat(submit.getSourceAddrTon()).isEqualTo((byte) 1);
        assertThat(submit.getSourceAddrNpi()).isEqualTo((byte) 1);
        assertThat(submit.getDataCoding()).isEqualTo((byte) 8);
        assertThat(new String(submit.getShortMessage(), StandardCharsets.UTF_16BE)).isEqualTo("Ваш код 482913");
        assertThat(result.encoding()).isEqualTo("UCS-2");
    }

    @Test
    void longTextTravelsWholeInMessagePayload() throws Exception {
        bound(properties(smsc.password, 10, 100));
        String longText = "Your code is 482913. ".repeat(12);

        SendResult result = channel.send(sms(null, longText, "GSM-7", 2));

        SubmitSm submit = smsc.submits.poll(2, TimeUnit.SECONDS);
        assertThat(submit.getShortMessage()).isEmpty();
        OptionalParameter payload = submit.getOptionalParameter(OptionalParameter.Tag.MESSAGE_PAYLOAD);
        assertThat(payload).isInstanceOf(OptionalParameter.OctetString.class);
        assertThat(new String(((OptionalParameter.OctetString) payload).getValue(), SmppSubmit.GSM))
                .isEqualTo(longText);
        assertThat(result.segments()).isEqualTo(2);
    }

    @Test
    void windowLetsSeveralSubmitsAwaitTheirResponsesAtOnceButNoMore() throws Exception {
        bound(properties(smsc.password, 4, 1000));
        CountDownLatch release = new CountDownLatch(1);
        smsc.hold = release;
        ExecutorService senders = Executors.newFixedThreadPool(6);
        try {
            List<Future<SendResult>> sends = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                sends.add(senders.submit(() -> channel.send(sms(null, TEXT, "GSM-7", 1))));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (smsc.inFlight.get() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
            assertThat(smsc.inFlight.get()).isEqualTo(4);
            release.countDown();
            for (Future<SendResult> send : sends) {
                assertThat(send.get(5, TimeUnit.SECONDS).providerMessageId()).isNotBlank();
            }
            assertThat(smsc.maxInFlight.get()).isEqualTo(4);
            assertThat(smsc.submits).hasSize(6);
        } finally {
            senders.shutdownNow();
        }
    }

    @Test
    void throughputLimitSpacesSubmits() throws Exception {
        bound(properties(smsc.password, 10, 5));
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            channel.send(sms(null, TEXT, "GSM-7", 1));
        }
        // 5 leave at once (the bucket starts full), the next 5 at 5 per second.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(800));
    }

    @Test
    void failedBindFailsSendsTemporarilyThenRebindsWhenTheSmscAccepts() throws Exception {
        smsc.password = "pw-bad1";
        channel = new SmppProvider("smsc1", properties("pw-ok1", 10, 100), receipts::add);
        channel.start();
        Thread.sleep(300);

        assertThatThrownBy(() -> channel.send(sms(null, TEXT, "GSM-7", 1)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("SMPP not bound (ESME_RINVPASWD)");
                });

        smsc.password = "pw-ok1";
        awaitBound();
        assertThat(channel.send(sms(null, TEXT, "GSM-7", 1)).providerMessageId()).isNotBlank();
    }

    @Test
    void bindWhenTheSmscRefusesItThenOneLineNamesProviderSmscAndStatusAndTheStepReasonCarriesTheStatus_S45(
            CapturedOutput output) throws Exception {
        smsc.refuseBindsWith = SMPPConstant.STAT_ESME_RBINDFAIL;
        Map<String, Level> previous = ApplicationLogLevels.apply();
        try {
            channel = new SmppProvider("smsc1", properties(smsc.password, 10, 100), receipts::add);
            channel.start();
            awaitBindFailure();

            DeliveryException e = sendFails(channel);
            assertThat(e.permanent()).isFalse();
            assertThat(e.getMessage()).isEqualTo("SMPP not bound (ESME_RBINDFAIL)");
        } finally {
            channel.close();
            channel = null;
            ApplicationLogLevels.restore(previous);
        }

        String line = "SMPP provider smsc1 could not bind to 127.0.0.1:" + smsc.port() + " (ESME_RBINDFAIL); next try in";
        assertThat(output.getAll()).contains(line);
        assertThat(output.getAll().lines().filter(l -> l.contains("smsc1")))
                .as("one line per refused bind, nothing else about it").allMatch(l -> l.contains(line));
        assertThat(output.getAll()).as("no stack trace").doesNotContain("NegativeResponseException", "\tat org.jsmpp")
                .doesNotContain(smsc.password);
    }

    void awaitBindFailure() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (channel.bindFailure() == null) {
            assertThat(System.nanoTime()).as("a bind failed within 5 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void submitErrorsAreTemporaryOrPermanentByStatusAndNamedNotNumbered() throws Exception {
        bound(properties(smsc.password, 10, 100));

        smsc.failWith = SMPPConstant.STAT_ESME_RINVDSTADR;
        assertThatThrownBy(() -> channel.send(sms(null, TEXT, "GSM-7", 1)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getMessage()).isEqualTo("ESME_RINVDSTADR");
                });
        smsc.failWith = SMPPConstant.STAT_ESME_RINVSRCADR;
        assertThatThrownBy(() -> channel.send(sms(null, TEXT, "GSM-7", 1)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.permanent()).isTrue());
        smsc.failWith = SMPPConstant.STAT_ESME_RTHROTTLED;
        assertThatThrownBy(() -> channel.send(sms(null, TEXT, "GSM-7", 1)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("ESME_RTHROTTLED");
                });
        smsc.failWith = SMPPConstant.STAT_ESME_RMSGQFUL;
        assertThatThrownBy(() -> channel.send(sms(null, TEXT, "GSM-7", 1)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("ESME_RMSGQFUL");
                });
    }

    @Test
    void lostConnectionIsTemporaryAndLaterSendsSucceedAfterRebind() throws Exception {
        bound(properties(smsc.password, 10, 100));
        assertThat(channel.send(sms(null, TEXT, "GSM-7", 1)).providerMessageId()).isNotBlank();

        smsc.dropSessions();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (channel.bound() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        DeliveryException during = null;
        try {
            channel.send(sms(null, TEXT, "GSM-7", 1));
        } catch (DeliveryException e) {
            during = e;
        }
        if (during != null) {
            assertThat(during.permanent()).isFalse();
        }

        awaitBound();
        assertThat(channel.send(sms(null, TEXT, "GSM-7", 1)).providerMessageId()).isNotBlank();
        assertThat(smsc.sessions).hasSize(1);
    }

    @Test
    void receiptsFromTlvsAndFromTextReachTheSinkAndAreAnswered() throws Exception {
        bound(properties(smsc.password, 10, 100));
        String messageId = channel.send(sms(null, TEXT, "GSM-7", 1)).providerMessageId();
        ESMClass receipt = new ESMClass(MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT);

        // deliverShortMessage returns only once the provider answered deliver_sm_resp with ESME_ROK.
        smsc.session().deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN,
                "14155550123", TypeOfNumber.ALPHANUMERIC, NumberingPlanIndicator.UNKNOWN, "OTPGATE", receipt,
                (byte) 0, (byte) 0, new RegisteredDelivery(0), DataCodings.ZERO, new byte[0],
                new OptionalParameter.Receipted_message_id(messageId),
                new OptionalParameter.Message_state(
                        OptionalParameter.Message_state.Message_state_enum.DELIVERED.byteValue()));
        DeliveryReceipt fromTlv = receipts.poll(2, TimeUnit.SECONDS);
        assertThat(fromTlv).isNotNull();
        assertThat(fromTlv.providerId()).isEqualTo("smsc1");
        assertThat(fromTlv.providerMessageId()).isEqualTo(messageId);
        assertThat(fromTlv.status()).isEqualTo(DeliveryReceipt.Status.DELIVERED);
        assertThat(fromTlv.reason()).isNull();

        String text = "id:" + messageId + " sub:001 dlvrd:000 submit date:2611231200 done date:2611231201"
                + " stat:UNDELIV err:034 text:Your code is 48";
        smsc.session().deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN,
                "14155550123", TypeOfNumber.ALPHANUMERIC, NumberingPlanIndicator.UNKNOWN, "OTPGATE", receipt,
                (byte) 0, (byte) 0, new RegisteredDelivery(0), DataCodings.ZERO,
                text.getBytes(StandardCharsets.ISO_8859_1));
        DeliveryReceipt fromText = receipts.poll(2, TimeUnit.SECONDS);
        assertThat(fromText).isNotNull();
        assertThat(fromText.providerMessageId()).isEqualTo(messageId);
        assertThat(fromText.status()).isEqualTo(DeliveryReceipt.Status.UNDELIVERED);
        assertThat(fromText.reason()).isEqualTo("UNDELIV err:034");

        String enroute = "id:" + messageId + " stat:ENROUTE";
        smsc.session().deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN,
                "14155550123", TypeOfNumber.ALPHANUMERIC, NumberingPlanIndicator.UNKNOWN, "OTPGATE", receipt,
                (byte) 0, (byte) 0, new RegisteredDelivery(0), DataCodings.ZERO,
                enroute.getBytes(StandardCharsets.ISO_8859_1));
        DeliveryReceipt sent = receipts.poll(2, TimeUnit.SECONDS);
        assertThat(sent.status()).isEqualTo(DeliveryReceipt.Status.SENT);
    }

    @Test
    void noLogLineHoldsTheDestinationTheTextOrThePassword_S45(CapturedOutput output) throws Exception {
        smsc.password = "pw-bad1";
        channel = new SmppProvider("smsc1", properties("pw-ok1", 10, 100), receipts::add);
        channel.start();
        Thread.sleep(250);
        smsc.password = "pw-ok1";
        awaitBound();
        String messageId = channel.send(sms(null, TEXT, "GSM-7", 1)).providerMessageId();
        smsc.failWith = SMPPConstant.STAT_ESME_RINVDSTADR;
        assertThatThrownBy(() -> channel.send(sms(null, TEXT, "GSM-7", 1))).isInstanceOf(DeliveryException.class);
        String text = "id:" + messageId + " sub:001 dlvrd:001 submit date:2611231200 done date:2611231201"
                + " stat:DELIVRD err:000 text:" + TEXT;
        smsc.session().deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN,
                "14155550123", TypeOfNumber.ALPHANUMERIC, NumberingPlanIndicator.UNKNOWN, "OTPGATE",
                new ESMClass(MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT),
                (byte) 0, (byte) 0, new RegisteredDelivery(0), DataCodings.ZERO,
                text.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(receipts.poll(2, TimeUnit.SECONDS)).isNotNull();
        smsc.dropSessions();
        awaitBound();
        channel.close();
        channel = null;

        assertThat(output.getAll()).contains("smsc1");
        assertThat(output.getAll()).doesNotContain("14155550123", "482913", TEXT, "pw-ok1", "pw-bad1");
    }
}
