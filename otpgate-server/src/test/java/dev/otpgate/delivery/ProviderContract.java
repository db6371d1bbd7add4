package dev.otpgate.delivery;

import dev.otpgate.delivery.provider.SendResult;
import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.DeliveryException;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What every provider adapter does, whatever its protocol: one message per send, the provider's message id back,
 * permanent and temporary failures told apart, no success made of an answer that is not one, no unbounded read,
 * no untrusted TLS peer (S-08) and no secret in a log line or a failure reason, even at DEBUG (S-45). Each
 * adapter's test class extends this with a peer speaking the vendor's protocol and answers the hooks in the
 * protocol's own terms (an HTTP status, an SMPP command status, an SMTP reply). A case that does not exist for a
 * protocol is overridden by a test of what that protocol does instead.
 *
 * <p>Modelled on bucket4j's {@code AbstractDistributedBucketTest}, extended once per backend.
 */
public abstract class ProviderContract {

    protected static final String CODE = "482913";
    protected static final String PHONE = "+14155550123";
    /** The read or response timeout every {@link #provider()} is configured with. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** How long a peer takes to send an oversized answer whole, far longer than {@link #TIMEOUT}. */
    protected static final Duration OVERSIZED_SEND_TIME = TIMEOUT.multipliedBy(6);
    protected static final int OVERSIZED_BYTES = 8 * 1024 * 1024;

    /** The provider under test, talking to the peer, with {@link #TIMEOUT} as its read or response timeout. */
    protected abstract Provider provider() throws Exception;

    /** The provider configured for TLS to a peer whose certificate the JVM does not trust. */
    protected abstract Provider providerAgainstUntrustedTls() throws Exception;

    /** The message every case sends: an SMS with the code to {@link #PHONE}, unless the adapter serves another channel. */
    protected OutboundMessage message() {
        return new OutboundMessage("app_contract", "sms", PHONE, null, null, "Your code is " + CODE, null, CODE, "en",
                "GSM-7", 1, "vrf_contract/1");
    }

    /** Makes the peer accept the next message; returns the message id it answers with (null: the protocol has none). */
    protected abstract String peerAccepts() throws Exception;

    /** Makes the peer refuse the message for good: a 4xx, the vendor's own permanent status, an SMTP 5xx reply. */
    protected abstract void peerAnswersPermanentFailure() throws Exception;

    /** Makes the peer fail for now: a 5xx, a throttling status, an SMTP 4xx reply. */
    protected abstract void peerAnswersTemporaryFailure() throws Exception;

    /** Makes the peer accept the connection (and the request) and not answer for much longer than {@link #TIMEOUT}. */
    protected abstract void peerNeverAnswers() throws Exception;

    /** Makes the peer answer with its success status but a body that is not what the vendor sends (no message id). */
    protected abstract void peerAnswersMalformedSuccess() throws Exception;

    /**
     * Makes the peer answer with an acceptance padded to {@link #OVERSIZED_BYTES}, sent over
     * {@link #OVERSIZED_SEND_TIME} where the protocol allows it.
     */
    protected abstract void peerAnswersOversized() throws Exception;

    /** Asserts that the peer received exactly one message, and that it carries {@code to} and {@code code}. */
    protected abstract void assertPeerReceivedOne(String to, String code) throws Exception;

    /** Asserts that no request reached the peer (nor the untrusted TLS peer). */
    protected abstract void assertPeerReceivedNothing() throws Exception;

    /**
     * Asserts that the adapter stopped reading the oversized answer early. By default: the peer takes
     * {@link #OVERSIZED_SEND_TIME} to send it, so an adapter that reads it all is either cut off by its
     * {@link #TIMEOUT} or takes that long; one that refuses it fails for another reason, and sooner.
     */
    protected void assertOversizedAnswerNotReadWhole(DeliveryException e, Duration elapsed) throws Exception {
        assertThat(e.getMessage()).as("refused, not cut off by the timeout").doesNotContainIgnoringCase("timed out")
                .doesNotContainIgnoringCase("timeout");
        assertThat(elapsed).as("failed before the peer had sent the whole answer").isLessThan(OVERSIZED_SEND_TIME);
    }

    /** The credentials the provider is configured with: tokens, passwords, API secrets. */
    protected abstract List<String> credentials();

    /** The loggers raised to DEBUG for the S-45 case: the adapter's package, and the client library it logs through. */
    protected List<String> loggers() {
        return List.of(getClass().getPackageName());
    }

    /** What no log line or failure reason may hold: the code, the full destination in its spellings, the credentials. */
    protected List<String> secrets() {
        List<String> secrets = new ArrayList<>(List.of(CODE, message().to()));
        if (message().to().startsWith("+")) {
            secrets.add(message().to().substring(1));
        }
        secrets.addAll(credentials());
        return secrets;
    }

    @Test
    protected void sendWhenThePeerAcceptsThenTheResultCarriesItsMessageIdAndThePeerGotOneMessageWithDestinationAndCode()
            throws Exception {
        String messageId = peerAccepts();

        SendResult result = provider().send(message());

        assertThat(result).isNotNull();
        assertThat(result.providerMessageId()).isEqualTo(messageId);
        assertPeerReceivedOne(message().to(), CODE);
    }

    @Test
    protected void sendWhenThePeerRefusesTheMessageThenTheFailureIsPermanent() throws Exception {
        peerAnswersPermanentFailure();

        DeliveryException e = sendFails(provider());

        assertThat(e.permanent()).as(e.getMessage()).isTrue();
    }

    @Test
    protected void sendWhenThePeerFailsForNowThenTheFailureIsTemporary() throws Exception {
        peerAnswersTemporaryFailure();

        DeliveryException e = sendFails(provider());

        assertThat(e.permanent()).as(e.getMessage()).isFalse();
    }

    @Test
    protected void sendWhenThePeerNeverAnswersThenItFailsTemporarilyWithinTheTimeout() throws Exception {
        Provider provider = provider();
        peerNeverAnswers();

        long started = System.nanoTime();
        DeliveryException e = sendFails(provider);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertThat(e.permanent()).as(e.getMessage()).isFalse();
        assertThat(elapsed).as("waited for the timeout, then gave up")
                .isGreaterThanOrEqualTo(TIMEOUT.minusMillis(100))
                .isLessThan(TIMEOUT.plusSeconds(2));
    }

    // S-08: a provider's answer is validated; one that does not say the message was accepted is not a success
    @Test
    protected void sendWhenThePeerAnswersAMalformedSuccessThenItFailsTemporarily_S08() throws Exception {
        peerAnswersMalformedSuccess();

        DeliveryException e = sendFails(provider());

        assertThat(e.permanent()).as(e.getMessage()).isFalse();
    }

    @Test
    protected void sendWhenThePeerAnswersOversizedThenItIsRefusedWithoutReadingItWhole() throws Exception {
        Provider provider = provider();
        peerAnswersOversized();

        long started = System.nanoTime();
        DeliveryException e = sendFails(provider);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertThat(e.permanent()).as(e.getMessage()).isFalse();
        assertOversizedAnswerNotReadWhole(e, elapsed);
    }

    @Test
    protected void sendWhenThePeerPresentsAnUntrustedCertificateThenItIsRefused_S08() throws Exception {
        peerAccepts();

        DeliveryException e = sendFails(providerAgainstUntrustedTls());

        assertThat(e.permanent()).as(e.getMessage()).isFalse();
        assertPeerReceivedNothing();
    }

    @Test
    protected void sendWhenTheAdaptersLoggersAreAtDebugThenNoCodeDestinationOrCredentialIsLogged_S45() throws Exception {
        List<ILoggingEvent> events = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        withLoggersAtDebug(events, () -> {
            LoggerFactory.getLogger(loggers().getFirst()).debug("contract canary");
            Provider provider = provider();
            peerAccepts();
            provider.send(message());
            peerAnswersPermanentFailure();
            reasons.add(sendFails(provider).getMessage());
            peerAnswersTemporaryFailure();
            reasons.add(sendFails(provider).getMessage());
            peerAnswersMalformedSuccess();
            reasons.add(sendFails(provider).getMessage());
        });

        assertThat(events).as("the loggers were at DEBUG and captured").extracting(ILoggingEvent::getFormattedMessage)
                .contains("contract canary");
        String logged = render(events);
        for (String secret : secrets()) {
            assertThat(logged).as("log lines").doesNotContain(secret);
            assertThat(reasons).as("failure reasons").noneMatch(reason -> reason.contains(secret));
        }
    }

    /** Sends {@link #message()} and returns the failure, having checked that its reason holds no secret (S-45). */
    protected DeliveryException sendFails(Provider provider) {
        DeliveryException failure;
        try {
            SendResult result = provider.send(message());
            throw new AssertionError("the send succeeded: " + result);
        } catch (DeliveryException e) {
            failure = e;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            for (String secret : secrets()) {
                assertThat(String.valueOf(t.getMessage())).as("failure reason").doesNotContain(secret);
            }
        }
        return failure;
    }

    protected interface Steps {
        void run() throws Exception;
    }

    private void withLoggersAtDebug(List<ILoggingEvent> events, Steps steps) throws Exception {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Map<Logger, Level> previous = new LinkedHashMap<>();
        for (String name : loggers()) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            previous.put(logger, logger.getLevel());
            logger.setLevel(Level.DEBUG);
            logger.addAppender(appender);
        }
        try {
            steps.run();
        } finally {
            previous.forEach((logger, level) -> {
                logger.detachAppender(appender);
                logger.setLevel(level);
            });
            appender.stop();
            events.addAll(appender.list);
        }
    }

    private static String render(List<ILoggingEvent> events) {
        StringBuilder out = new StringBuilder();
        for (ILoggingEvent event : events) {
            out.append(event.getLoggerName()).append(' ').append(event.getFormattedMessage()).append('\n');
            if (event.getThrowableProxy() != null) {
                out.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
            }
        }
        return out.toString();
    }
}
