package dev.otpgate.delivery.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.ProviderContract;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * The SMTP adapter against a scripted SMTP server on a loopback socket, whose replies each case chooses, and a
 * GreenMail SMTPS server for TLS. The whole flow over SMTP, rendering included, is in {@code SmtpDeliveryTests}.
 */
class SmtpEmailProviderTests extends ProviderContract {

    static final String TO = "jane.doe@example.com";
    static final String PASSWORD = "smtp-relay-P@ss-7c1e";

    ScriptedSmtpServer smtp;
    GreenMail smtps;

    @BeforeEach
    void startSmtp() throws IOException {
        smtp = new ScriptedSmtpServer();
    }

    @AfterEach
    void stopSmtp() throws IOException {
        smtp.close();
        if (smtps != null) {
            smtps.stop();
        }
    }

    static SmtpEmailProvider provider(JavaMailSender sender) {
        return new SmtpEmailProvider(new StaticListableBeanFactory(Map.of("mailSender", sender))
                .getBeanProvider(JavaMailSender.class), "codes@otpgate.test", "otpgate");
    }

    /** As {@code application.yml} configures Spring Mail, with {@link #TIMEOUT} for its timeouts. */
    static JavaMailSenderImpl sender(int port) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(port);
        sender.setUsername("otpgate");
        sender.setPassword(PASSWORD);
        Properties properties = sender.getJavaMailProperties();
        properties.put("mail.smtp.auth", "true");
        properties.put("mail.smtp.connectiontimeout", String.valueOf(TIMEOUT.toMillis()));
        properties.put("mail.smtp.timeout", String.valueOf(TIMEOUT.toMillis()));
        properties.put("mail.smtp.writetimeout", String.valueOf(TIMEOUT.toMillis()));
        return sender;
    }

    @Override
    protected SmtpEmailProvider provider() {
        return provider(sender(smtp.port()));
    }

    @Override
    protected SmtpEmailProvider providerAgainstUntrustedTls() {
        smtps = new GreenMail(ServerSetupTest.SMTPS.dynamicPort());
        smtps.start();
        JavaMailSenderImpl sender = sender(smtps.getSmtps().getPort());
        sender.setProtocol("smtps");
        sender.getJavaMailProperties().put("mail.smtps.connectiontimeout", String.valueOf(TIMEOUT.toMillis()));
        sender.getJavaMailProperties().put("mail.smtps.timeout", String.valueOf(TIMEOUT.toMillis()));
        return provider(sender);
    }

    @Override
    protected OutboundMessage message() {
        return new OutboundMessage("app_contract", "email", TO, null, "Your verification code", "Your code is " + CODE,
                null, CODE, "en", null, 0, "vrf_contract/1");
    }

    /** SMTP has no message id: the queue id in a {@code 250} reply is free text, so the adapter keeps none. */
    @Override
    protected String peerAccepts() {
        smtp.script(Map.of());
        return null;
    }

    @Override
    protected void peerAnswersPermanentFailure() {
        smtp.script(Map.of("RCPT", "550 5.1.1 <" + TO + ">: Recipient address rejected: User unknown"));
    }

    @Override
    protected void peerAnswersTemporaryFailure() {
        smtp.script(Map.of("RCPT", "451 4.3.0 <" + TO + ">: Temporary lookup failure"));
    }

    @Override
    protected void peerNeverAnswers() {
        smtp.silent = true;
    }

    /** The message is taken, then the answer to its end is not an SMTP reply at all. */
    @Override
    protected void peerAnswersMalformedSuccess() {
        smtp.script(Map.of(".", "Message accepted, thank you"));
    }

    /** SMTP's oversized answer: a reply line of a megabyte that does not end. */
    @Override
    protected void peerAnswersOversized() {
        smtp.script(Map.of(".", "250 " + "x".repeat(1024 * 1024)));
        smtp.endlessLastReply = true;
    }

    /**
     * Jakarta Mail reads each SMTP reply line whole, however long, so nothing bounds an oversized reply but the
     * read timeout: a reply line that does not end, a megabyte of it then silence, fails temporarily within it.
     */
    @Override
    @Test
    @DisplayName("send when the SMTP server sends a reply line that does not end then it fails temporarily within the"
            + " read timeout (Jakarta Mail reads reply lines whole)")
    protected void sendWhenThePeerAnswersOversizedThenItIsRefusedWithoutReadingItWhole() throws Exception {
        SmtpEmailProvider provider = provider();
        peerAnswersOversized();

        long started = System.nanoTime();
        DeliveryException e = sendFails(provider);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertThat(e.permanent()).isFalse();
        assertThat(elapsed).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(100)).isLessThan(TIMEOUT.plusSeconds(2));
    }

    @Override
    protected void assertPeerReceivedOne(String to, String code) {
        assertThat(smtp.messages).hasSize(1);
        ScriptedSmtpServer.Received received = smtp.messages.getFirst();
        assertThat(received.recipients()).containsExactly("<" + to + ">");
        assertThat(received.data()).contains(code);
    }

    @Override
    protected void assertPeerReceivedNothing() {
        assertThat(smtp.messages).isEmpty();
        if (smtps != null) {
            assertThat(smtps.getReceivedMessages()).isEmpty();
        }
    }

    @Override
    protected List<String> credentials() {
        return List.of(PASSWORD, java.util.Base64.getEncoder().encodeToString(
                ("\0otpgate\0" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    protected List<String> loggers() {
        return List.of(getClass().getPackageName(), "org.springframework.mail");
    }

    @Test
    void sendWhenTheMessageIsAcceptedThenItGoesFromTheConfiguredSenderWithItsSubject() throws Exception {
        peerAccepts();

        provider().send(message());

        ScriptedSmtpServer.Received received = smtp.messages.getFirst();
        assertThat(received.sender()).isEqualTo("<codes@otpgate.test>");
        assertThat(received.data()).contains("Subject: Your verification code", "From: otpgate <codes@otpgate.test>");
    }

    @Test
    void sendWhenTheServerRefusesTheMessageAtItsEndThenTheFailureIsPermanent() {
        smtp.script(Map.of(".", "554 5.7.1 Message rejected as spam"));

        DeliveryException e = sendFails(provider());

        assertThat(e.permanent()).isTrue();
        assertThat(smtp.messages).hasSize(1);
    }

    @Test
    void sendWhenTheServerDefersTheMessageAtItsEndThenTheFailureIsTemporary() {
        smtp.script(Map.of(".", "452 4.3.1 Insufficient system storage"));

        assertThat(sendFails(provider()).permanent()).isFalse();
    }

    /**
     * An SMTP server on a loopback port that answers each command with the reply its script gives for the
     * command's verb ({@code MAIL}, {@code RCPT}, {@code .} for the end of the data, ...), or the usual success.
     */
    static final class ScriptedSmtpServer implements AutoCloseable {

        record Received(String sender, List<String> recipients, String data) {}

        final List<Received> messages = new CopyOnWriteArrayList<>();
        volatile Map<String, String> script = Map.of();
        /** Accepts connections and never sends its greeting. */
        volatile boolean silent;
        /** Sends the last scripted reply without its line end, then nothing. */
        volatile boolean endlessLastReply;
        private final ServerSocket socket;
        private final List<Socket> connections = new CopyOnWriteArrayList<>();

        ScriptedSmtpServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "scripted-smtp");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        void script(Map<String, String> replies) {
            script = replies;
            silent = false;
            endlessLastReply = false;
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    connections.add(connection);
                    Thread session = new Thread(() -> converse(connection), "scripted-smtp-session");
                    session.setDaemon(true);
                    session.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void converse(Socket connection) {
            try (connection) {
                BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream out = connection.getOutputStream();
                if (silent) {
                    while (in.read() >= 0) {
                        // reads what comes and answers nothing
                    }
                    return;
                }
                reply(out, "220 scripted ESMTP");
                String sender = null;
                List<String> recipients = new CopyOnWriteArrayList<>();
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String verb = line.split("[ :]", 2)[0].toUpperCase(Locale.ROOT);
                    switch (verb) {
                        case "EHLO" -> reply(out, "250-scripted\r\n250-AUTH PLAIN\r\n250 8BITMIME");
                        case "AUTH" -> reply(out, "235 2.7.0 Authentication successful");
                        case "MAIL" -> {
                            sender = line.substring(line.indexOf(':') + 1).trim();
                            reply(out, script.getOrDefault("MAIL", "250 2.1.0 Ok"));
                        }
                        case "RCPT" -> {
                            String reply = script.getOrDefault("RCPT", "250 2.1.5 Ok");
                            if (reply.startsWith("2")) {
                                recipients.add(line.substring(line.indexOf(':') + 1).trim());
                            }
                            reply(out, reply);
                        }
                        case "DATA" -> {
                            reply(out, "354 End data with <CR><LF>.<CR><LF>");
                            StringBuilder data = new StringBuilder();
                            for (String dataLine = in.readLine(); dataLine != null && !dataLine.equals(".");
                                    dataLine = in.readLine()) {
                                data.append(dataLine).append('\n');
                            }
                            messages.add(new Received(sender, List.copyOf(recipients), data.toString()));
                            String reply = script.getOrDefault(".", "250 2.0.0 Ok: queued as 4BCD1");
                            if (endlessLastReply) {
                                out.write(reply.getBytes(StandardCharsets.US_ASCII));
                                out.flush();
                                while (in.read() >= 0) {
                                    // the reply never ends
                                }
                                return;
                            }
                            reply(out, reply);
                        }
                        case "QUIT" -> {
                            reply(out, "221 2.0.0 Bye");
                            return;
                        }
                        default -> reply(out, "250 2.0.0 Ok");
                    }
                }
            } catch (IOException e) {
                // the client hung up
            }
        }

        private static void reply(OutputStream out, String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket connection : connections) {
                connection.close();
            }
        }
    }
}
