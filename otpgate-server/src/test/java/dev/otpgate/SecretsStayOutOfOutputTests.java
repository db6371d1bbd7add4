package dev.otpgate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.TestApps;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * S-45: a full flow with debug logging on, then every log line, every response body (the dev inbox and the
 * one-time key creation response excepted) and the metrics page are searched for the codes issued, the key
 * secrets, OAuth client secrets and access tokens, and the full phone number, in every spelling that was sent.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.port=0", "management.server.port=0",
        "logging.level.dev.otpgate=DEBUG", "logging.level.org.springframework.web=DEBUG",
        "logging.level.org.springframework.jdbc=DEBUG", "logging.level.org.springframework.security=DEBUG",
        "logging.level.com.github.kagkarlsson=DEBUG"})
@ExtendWith(OutputCaptureExtension.class)
class SecretsStayOutOfOutputTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws java.io.IOException {
        String dataDir = Files.createTempDirectory("otpgate-s45-").toString();
        registry.add("otpgate.data-dir", () -> dataDir);
        registry.add("otpgate.bootstrap-admin-key", () -> ADMIN_KEY);
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:s45;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
    }

    @LocalServerPort
    int port;

    @Autowired
    OtpgateProperties properties;

    @Autowired
    Environment environment;

    @Test
    void fullFlowWhenDebugLoggingIsOnThenNoCodeKeyOrFullNumberReachesAnyOutput_S45(CapturedOutput output) {
        ApiClient api = new ApiClient("https://localhost:" + port, properties.dataDir().resolve("tls/ca.pem"));
        TestApps fixtures = new TestApps(api, ADMIN_KEY);
        List<String> excluded = new ArrayList<>();

        Response app = api.post("/v1/apps", ADMIN_KEY, Map.of("name", "Leak Check", "resend_cooldown_seconds", 0));
        String appId = app.text("id");
        Response created = api.post("/v1/apps/" + appId + "/api-keys", ADMIN_KEY, Map.of("name", "backend"));
        String oldAppKey = created.text("secret");
        excluded.add(created.body());
        api.get("/v1/fraud/blocks", oldAppKey);
        Response rotated = api.post("/v1/apps/" + appId + "/api-keys/" + created.text("id") + "/rotate", ADMIN_KEY,
                Map.of("grace_seconds", 60));
        String appKey = rotated.text("secret");
        excluded.add(rotated.body());
        Response admin = api.post("/v1/admin/api-keys", ADMIN_KEY, Map.of("name", "ops"));
        String adminKey = admin.text("secret");
        excluded.add(admin.body());
        Response adminRotated = api.post("/v1/admin/api-keys/" + admin.text("id") + "/rotate", adminKey,
                Map.of("grace_seconds", 0));
        String rotatedAdminKey = adminRotated.text("secret");
        excluded.add(adminRotated.body());
        api.get("/v1/admin/api-keys", rotatedAdminKey);
        api.get("/v1/apps", adminKey);

        String e164 = "+12125550142";
        String spelled = "+1 (212) 555-0142";
        Response started = api.post("/v1/verifications", appKey, Map.of("to", spelled,
                "end_user", Map.of("ip", "203.0.113.9", "user_agent", "LeakCheck/1.0")));
        String id = started.text("id");
        String firstCode = fixtures.codeFor(e164, 1);
        api.post("/v1/verifications/" + id + "/check", appKey, Map.of("code", firstCode.equals("000000") ? "111111" : "000000"));
        api.post("/v1/verifications/" + id + "/resend", appKey, null);
        String secondCode = fixtures.codeFor(e164, 2);
        api.post("/v1/verifications/check", appKey, Map.of("to", spelled, "code", firstCode));
        Response approved = api.post("/v1/verifications/" + id + "/check", appKey, Map.of("code", secondCode));
        assertThat(approved.status()).isEqualTo(200);
        api.get("/v1/verifications/" + id, appKey);
        api.get("/v1/apps/" + appId + "/api-keys", ADMIN_KEY);
        api.get("/v1/verifications/" + id + "?api_key=" + appKey, null);
        api.post("/v1/verifications", appKey.substring(0, appKey.length() - 1) + "x", Map.of("to", spelled));

        Response client = api.post("/v1/apps/" + appId + "/oauth-clients", ADMIN_KEY,
                Map.of("name", "backend", "scopes", List.of("verifications:start")));
        excluded.add(client.body());
        String clientSecret = client.text("client_secret");
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                (client.text("client_id") + ":" + clientSecret).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Map<String, String> form = Map.of("Content-Type", "application/x-www-form-urlencoded");
        Response token = api.send("POST", "/oauth2/token", null, "grant_type=client_credentials",
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Authorization", basic));
        excluded.add(token.body());
        String accessToken = token.text("access_token");
        String signature = accessToken.substring(accessToken.lastIndexOf('.') + 1);
        assertThat(api.post("/v1/verifications", accessToken, Map.of("to", "+12125550143")).status()).isEqualTo(201);
        api.post("/v1/verifications", accessToken.substring(0, accessToken.length() - 2) + "xx", Map.of("to", spelled));
        api.send("POST", "/oauth2/token", null, "grant_type=client_credentials&client_id=" + client.text("client_id")
                + "&client_secret=" + clientSecret + "x", form);
        api.get("/v1/apps/" + appId + "/oauth-clients", ADMIN_KEY);

        ApiClient management = new ApiClient("https://localhost:" + environment.getProperty("local.management.port"),
                properties.dataDir().resolve("tls/ca.pem"));
        String metrics = management.get("/actuator/prometheus", null).body();
        assertThat(metrics).contains("otpgate_verifications_started_total").contains("otpgate_verification_check_seconds");

        List<String> bodies = new ArrayList<>(api.bodies());
        bodies.removeIf(body -> body.contains("\"messages\"") || excluded.contains(body));
        // The dev inbox shows destinations and codes in full by design (embedded mode only), and the framework's
        // debug log of its requests and answers does too; every other line is searched.
        String logs = output.getAll().lines()
                .filter(line -> !line.contains("/v1/dev/messages") && !line.contains("Writing [{messages="))
                .collect(java.util.stream.Collectors.joining("\n"));
        String everything = logs + String.join("\n", bodies) + metrics;

        assertThat(logs).contains(id).contains("Securing POST /v1/verifications");
        for (String secret : List.of(firstCode, secondCode, appKey, oldAppKey, adminKey, rotatedAdminKey, ADMIN_KEY,
                clientSecret, accessToken, signature, e164, e164.substring(1), spelled, "212) 555-0142", "5550142")) {
            assertThat(everything).as("output must not contain a secret").doesNotContain(secret);
        }
    }
}
