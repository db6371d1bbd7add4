package dev.otpgate.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import jakarta.mail.internet.MimeMessage;
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
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP);

    static final String ADMIN_KEY = ApiKeySecrets.generate();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws java.io.IOException {
        String dataDir = Files.createTempDirectory("otpgate-smtp-").toString();
        registry.add("otpgate.data-dir", () -> dataDir);
        registry.add("otpgate.bootstrap-admin-key", () -> ADMIN_KEY);
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:smtp;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> ServerSetupTest.SMTP.getPort());
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

        assertThat(SMTP.waitForIncomingEmail(15_000, 1)).isTrue();
        MimeMessage mail = SMTP.getReceivedMessages()[0];
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("jane.doe@example.com");
        assertThat(mail.getFrom()[0].toString()).contains("codes@otpgate.test");
        assertThat(mail.getSubject()).isEqualTo("Your Acme verification code");
        String body = GreenMailUtil.getBody(mail);
        assertThat(body).contains("amount: 42.00 EUR");
        Matcher code = Pattern.compile("verification code is ([0-9]{6})").matcher(body);
        assertThat(code.find()).isTrue();
        assertThat(mail.getSubject()).doesNotContain(code.group(1));

        Response approved = api.post("/v1/verifications/" + started.text("id") + "/check", app.key(), Map.of("code", code.group(1)));
        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
        assertThat(api.get("/v1/dev/messages", ADMIN_KEY).json().get("messages")).isEmpty();
    }
}
