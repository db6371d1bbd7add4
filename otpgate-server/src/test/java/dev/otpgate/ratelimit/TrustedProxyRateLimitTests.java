package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.support.TestDatabases;
import dev.otpgate.support.TestServerConfiguration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * S-27 behind a trusted proxy: the tests reach the server from the loopback address, configured here as a
 * trusted proxy, so {@code X-Forwarded-For} names the client, read from the right past trusted hops.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.rate-limit.trusted-proxies=127.0.0.1,::1,10.0.0.0/8"})
@Import(TestServerConfiguration.class)
class TrustedProxyRateLimitTests {

    static final String ADMIN_KEY = ApiKeySecrets.generate();

    @DynamicPropertySource
    static void serverProperties(DynamicPropertyRegistry registry) {
        TestDatabases.server(registry, ADMIN_KEY);
        TestDatabases.h2(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    OtpgateProperties properties;

    ApiClient api;
    TestApps fixtures;
    TestApp app;

    @BeforeEach
    void connect() {
        api = new ApiClient("https://localhost:" + port, properties.dataDir().resolve("tls/ca.pem"));
        fixtures = new TestApps(api, ADMIN_KEY);
        app = fixtures.app(Map.of("defences", Map.of("rate_limits",
                Map.of("checks-per-ip", Map.of("capacity", 2, "period_seconds", 60)))));
    }

    Response check(String forwardedFor) {
        String id = fixtures.start(app, TestApps.newPhone());
        return api.send("POST", "/v1/verifications/" + id + "/check", app.key(), ApiClient.json(Map.of("code", "000000")),
                Map.of("X-Forwarded-For", forwardedFor));
    }

    @Test
    void eachForwardedClientHasItsOwnCheckBudget_S27() {
        for (int i = 1; i <= 4; i++) {
            Response wrong = check("198.51.100." + i);
            assertThat(wrong.status()).as(wrong.body()).isEqualTo(422);
        }
    }

    @Test
    void theRightMostUntrustedEntryIsTheClientAndEntriesLeftOfItCannotDodgeTheLimit_S27() {
        assertThat(check("203.0.113.50").status()).isEqualTo(422);
        // A client that writes its own X-Forwarded-For gets its real address appended by the proxy, and a
        // trusted inner hop after it is skipped.
        assertThat(check("192.0.2.1, 203.0.113.50, 10.1.2.3").status()).isEqualTo(422);
        Response refused = check("192.0.2.2, 203.0.113.50");
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.text("policy")).isEqualTo("checks-per-ip");
        assertThat(refused.body()).doesNotContain("203.0.113.50");
        // A different client behind the same proxy is unaffected.
        assertThat(check("203.0.113.51").status()).isEqualTo(422);
    }
}
