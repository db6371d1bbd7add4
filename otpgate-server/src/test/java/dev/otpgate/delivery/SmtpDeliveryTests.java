package dev.otpgate.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Email codes go through a real SMTP server (GreenMail); the code read from the received mail approves. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "otpgate.email.from=codes@otpgate.test"})
class SmtpDeliveryTests {

    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withPerMethodLifecycle(false); // one server for the class: the application is bound to its port

    static final String ADMIN_KEY = ApiKeySecrets.generate();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws java.io.IOException {
        String dataDir = Files.createTempDirectory("otpgate-smtp-").toString();
        registry.add("otpgate.data-dir", () -> dataDir);
        registry.add("otpgate.bootstrap-admin-key", () -> ADMIN_KEY);
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:smtp;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP.getSmtp().getPort());
    }

    @LocalServerPort
    int port;

    @Autowired
    OtpgateProperties properties;

    @Test
    void startWhenTheDestinationIsAnEmailThenTheCodeArrivesOverSmtpAndApproves() throws Exception {
        ApiClient api = new ApiClient("https://localhost:" + port, properties.dataDir().resolve("tls/ca.pem"));
        TestApp app = new TestApps(api, ADMIN_KEY).app(Map.of("brand", "Acme", "allowed_channels", List.of("sms", "email")));

        Response started = api.post("/v1/verifications", app.key(), Map.of("to", "Jane.Doe@Example.COM",
                "transaction", Map.of("amount", "42.00 EUR")));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        assertThat(started.text("channel")).isEqualTo("email");
        assertThat(started.text("to")).isEqualTo("j•••@e•••.com");

        MimeMessage mail = mailTo("jane.doe@example.com");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("jane.doe@example.com");
        assertThat(mail.getFrom()[0].toString()).contains("codes@otpgate.test");
        assertThat(mail.getSubject()).isEqualTo("Your Acme verification code");
        // multipart/alternative: the plain text, then the HTML, both UTF-8 and both holding the code.
        assertThat(mail.getContentType()).startsWith("multipart/alternative");
        MimeMultipart parts = (MimeMultipart) mail.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        BodyPart plain = parts.getBodyPart(0);
        BodyPart html = parts.getBodyPart(1);
        assertThat(plain.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
        assertThat(html.getContentType()).startsWith("text/html").containsIgnoringCase("charset=UTF-8");
        String body = ((String) plain.getContent()).replace("\r\n", "\n"); // SMTP lines end in CRLF
        String htmlBody = (String) html.getContent();
        assertThat(body).contains("You are approving:\namount: 42.00 EUR", "Do not share this code with anyone.");
        Matcher code = Pattern.compile("verification code is ([0-9]{6})").matcher(body);
        assertThat(code.find()).isTrue();
        assertThat(htmlBody).contains(">" + code.group(1) + "<", "<html lang=\"en\"", "42.00 EUR", "Acme");
        assertThat(mail.getSubject()).doesNotContain(code.group(1));

        Response approved = api.post("/v1/verifications/" + started.text("id") + "/check", app.key(), Map.of("code", code.group(1)));
        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
        assertThat(api.get("/v1/dev/messages", ADMIN_KEY).json().get("messages")).isEmpty();
    }

    @Test
    void startWhenALocaleAndMarkupInTheTransactionThenTheMailIsTranslatedAndItsHtmlPartEscapesTheMarkup() throws Exception {
        ApiClient api = new ApiClient("https://localhost:" + port, properties.dataDir().resolve("tls/ca.pem"));
        TestApp app = new TestApps(api, ADMIN_KEY).app(Map.of("brand", "Acme", "allowed_channels", List.of("sms", "email")));

        Response started = api.post("/v1/verifications", app.key(), Map.of("to", "marie@example.com", "locale", "fr-CA",
                "transaction", Map.of("payee", "<script>alert(1)</script>")));
        assertThat(started.status()).as(started.body()).isEqualTo(201);

        MimeMessage mail = mailTo("marie@example.com");
        assertThat(mail.getSubject()).isEqualTo("Votre code de vérification Acme");
        MimeMultipart parts = (MimeMultipart) mail.getContent();
        String plain = ((String) parts.getBodyPart(0).getContent()).replace("\r\n", "\n");
        String html = (String) parts.getBodyPart(1).getContent();
        Matcher code = Pattern.compile("votre code de vérification est ([0-9]{6})").matcher(plain);
        assertThat(code.find()).as(plain).isTrue();
        assertThat(plain).contains("Vous approuvez :\npayee: <script>alert(1)</script>", "Ne communiquez ce code à personne.");
        assertThat(html).contains(">" + code.group(1) + "<", "<html lang=\"fr-CA\"", "&lt;script&gt;alert(1)&lt;/script&gt;", "Ne communiquez ce code à personne.")
                .doesNotContain("<script>");
    }

    private static MimeMessage mailTo(String address) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            for (MimeMessage mail : SMTP.getReceivedMessages()) {
                if (mail.getAllRecipients()[0].toString().equals(address)) {
                    return mail;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no mail arrived for " + address);
    }
}
