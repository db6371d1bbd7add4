package dev.otpgate.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * When the provider keeps failing, the worker retries with backoff, then fails the step and the verification
 * with a reason the app can read; a provider error never approves anything (S-08).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.port=0", "management.server.port=0", "otpgate.delivery.max-tries=3",
        "otpgate.delivery.retry-backoff=200ms", "db-scheduler.polling-interval=1s"})
class DeliveryFailureTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        String dataDir = Files.createTempDirectory("otpgate-failing-smtp-").toString();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        int port = closedPort;
        registry.add("otpgate.data-dir", () -> dataDir);
        registry.add("otpgate.bootstrap-admin-key", () -> ADMIN_KEY);
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:failing;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> port);
        registry.add("spring.mail.properties.mail.smtp.connectiontimeout", () -> "1000");
    }

    @LocalServerPort
    int port;

    @Autowired
    OtpgateProperties properties;

    @Test
    void deliveryWhenTheSmtpServerIsDownThenRetriedThenTheVerificationFailsWithAReason_S08() {
        ApiClient api = new ApiClient("https://localhost:" + port, properties.dataDir().resolve("tls/ca.pem"));
        TestApp app = new TestApps(api, ADMIN_KEY).app(Map.of("allowed_channels", List.of("email")));
        Response started = api.post("/v1/verifications", app.key(), Map.of("to", "nobody@example.com"));
        assertThat(started.status()).isEqualTo(201);
        String id = started.text("id");

        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(api.get("/v1/verifications/" + id, app.key()).text("status")).isEqualTo("failed"));
        Response failed = api.get("/v1/verifications/" + id, app.key());
        assertThat(failed.text("failure_reason")).isEqualTo("delivery-failed");
        assertThat(failed.json().get("delivery").get("status").asString()).isEqualTo("failed");
        assertThat(failed.json().get("delivery").get("error").asString())
                .isEqualTo("every provider failed (smtp: the SMTP server did not accept the message)");
        var step = failed.json().get("steps").get(0);
        assertThat(step.get("status").asString()).isEqualTo("failed");
        assertThat(step.get("channel").asString()).isEqualTo("email");
        assertThat(step.get("providers_tried").get(0).asString()).isEqualTo("smtp: the SMTP server did not accept the message");
        assertThat(api.post("/v1/verifications/" + id + "/check", app.key(), Map.of("code", "123456")).status()).isEqualTo(410);
    }
}
