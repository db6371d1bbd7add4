package dev.otpgate.delivery.email;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.SendResult;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Component;

/**
 * Email over SMTP with Spring Mail; active when {@code spring.mail.host} is set. A message with an HTML part
 * goes as {@code multipart/alternative} (plain text and HTML), both UTF-8. Email is a restricted
 * authenticator (S-06): an app must list it in {@code allowed_channels}.
 */
@Component
class SmtpEmailProvider implements Provider {

    private final ObjectProvider<JavaMailSender> mailSender;
    private final String from;
    private final String fromName;

    SmtpEmailProvider(ObjectProvider<JavaMailSender> mailSender,
            @Value("${otpgate.email.from:otpgate@localhost}") String from,
            @Value("${otpgate.email.from-name:otpgate}") String fromName) {
        this.mailSender = mailSender;
        this.from = from;
        this.fromName = fromName;
    }

    @Override
    public String id() {
        return "smtp";
    }

    @Override
    public boolean serves(String channel) {
        return "email".equals(channel) && mailSender.getIfAvailable() != null;
    }

    @Override
    public SendResult send(OutboundMessage message) throws DeliveryException {
        JavaMailSender sender = mailSender.getObject();
        try {
            MimeMessage mime = sender.createMimeMessage();
            MimeMessageHelper helper = new MimeMessageHelper(mime, false, StandardCharsets.UTF_8.name());
            helper.setFrom(new InternetAddress(from, fromName, StandardCharsets.UTF_8.name()));
            helper.setTo(message.to());
            helper.setSubject(message.subject());
            if (message.html() == null) {
                helper.setText(message.text(), false);
            } else {
                mime.setContent(alternative(message.text(), message.html()));
            }
            sender.send(mime);
            return SendResult.of(null);
        } catch (MailAuthenticationException e) {
            throw new DeliveryException("SMTP authentication failed", false, null);
        } catch (MailParseException | MailPreparationException | MessagingException | UnsupportedEncodingException e) {
            throw new DeliveryException("the message could not be prepared for SMTP", true, null);
        } catch (MailSendException e) {
            // A 5xx reply (RFC 5321 4.2.1) refuses this message for good: an unknown mailbox, a rejected content.
            // Connection refused, timeouts, 4xx replies: worth another try. The cause is not kept: SMTP
            // exceptions can quote the recipient address.
            boolean permanent = replyCode(e) / 100 == 5;
            throw new DeliveryException(permanent ? "the SMTP server refused the message"
                    : "the SMTP server did not accept the message", permanent, null);
        } catch (MailException e) {
            throw new DeliveryException("the SMTP server did not accept the message", false, null);
        }
    }

    /**
     * The SMTP reply code that failed the send, such as 550; 0 when the send failed before any reply. Jakarta
     * Mail's SMTP implementation (a runtime dependency) reports it as {@code getReturnCode()} on its
     * {@link SendFailedException} subclasses, which a failed send nests one in another.
     */
    private static int replyCode(MailSendException e) {
        for (Exception failure : e.getMessageExceptions()) {
            for (Throwable t = failure; t != null;
                    t = t instanceof MessagingException m && m.getNextException() != null ? m.getNextException() : t.getCause()) {
                if (t instanceof SendFailedException) {
                    try {
                        if (t.getClass().getMethod("getReturnCode").invoke(t) instanceof Integer code) {
                            return code;
                        }
                    } catch (ReflectiveOperationException noReturnCode) {
                        // the plain SendFailedException around the SMTP one: look further in
                    }
                }
            }
        }
        return 0;
    }

    /**
     * {@code multipart/alternative}: the plain text first, then the HTML, so that a client shows the last part
     * it can render (RFC 2046 section 5.1.4).
     */
    private static MimeMultipart alternative(String text, String html) throws MessagingException {
        MimeBodyPart plain = new MimeBodyPart();
        plain.setText(text, StandardCharsets.UTF_8.name(), "plain");
        MimeBodyPart rich = new MimeBodyPart();
        rich.setText(html, StandardCharsets.UTF_8.name(), "html");
        MimeMultipart multipart = new MimeMultipart("alternative");
        multipart.addBodyPart(plain);
        multipart.addBodyPart(rich);
        return multipart;
    }
}
