package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.support.TestClock;
import dev.otpgate.support.TestDatabases;
import dev.otpgate.support.TestServerConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The start limits on one node with the default in-memory store, over real HTTPS (S-32, S-33). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s"})
@Import(TestServerConfiguration.class)
class StartRateLimitTests {

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

    @Autowired
    TestClock clock;

    ApiClient api;
    TestApp app;

    @BeforeEach
    void connect() {
        api = new ApiClient("https://localhost:" + port, properties.dataDir().resolve("tls/ca.pem"));
        app = new TestApps(api, ADMIN_KEY).app();
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    Response start(Map<String, Object> body) {
        return api.post("/v1/verifications", app.key(), body);
    }

    @Test
    void theSixthStartToOneDestinationWithinTenMinutesIsRefusedWith429AndRateLimitHeadersWhileAnotherDestinationPasses_S32() {
        String to = TestApps.newPhone();
        for (int i = 0; i < 5; i++) {
            assertThat(start(Map.of("to", to)).status()).as("start %d", i + 1).isEqualTo(201);
        }
        Response refused = start(Map.of("to", to));
        RateLimitAssertions.assertRefusedPerDestination(refused);
        assertThat(refused.body()).doesNotContain(to.substring(1));

        assertThat(start(Map.of("to", TestApps.newPhone())).status()).isEqualTo(201);
    }

    @Test
    void aDestinationRefusedForTooManyStartsIsAllowedAgainOnceItsTenMinutesHavePassed_S32() {
        String to = TestApps.newPhone();
        for (int i = 0; i < 5; i++) {
            assertThat(start(Map.of("to", to)).status()).isEqualTo(201);
        }
        assertThat(start(Map.of("to", to)).status()).isEqualTo(429);
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        assertThat(start(Map.of("to", to)).status()).isEqualTo(201);
    }

    @Test
    void differentSpellingsOfOneNumberCountAsOneDestination_S33() {
        String to = TestApps.newPhone();
        String[] spellings = {to, "+1 " + to.substring(2, 5) + " " + to.substring(5, 8) + " " + to.substring(8),
                "+1 (" + to.substring(2, 5) + ") " + to.substring(5, 8) + "-" + to.substring(8),
                "+1." + to.substring(2, 5) + "." + to.substring(5, 8) + "." + to.substring(8), " " + to + " "};
        for (String spelling : spellings) {
            assertThat(start(Map.of("to", spelling)).status()).as(spelling).isEqualTo(201);
        }
        RateLimitAssertions.assertRefusedPerDestination(start(Map.of("to", "+1 " + to.substring(2))));
    }

    @Test
    void aliasesOfOneMailboxCountAsOneDestinationAndEachMessageGoesToTheAddressAsGiven_S33() {
        TestApps apps = new TestApps(api, ADMIN_KEY);
        TestApp mailApp = apps.app(Map.of("allowed_channels", List.of("sms", "email")));
        String local = "victim" + System.nanoTime();
        String[] aliases = {local + "@example.com", local + "+1@example.com", local.toUpperCase() + "+zz@Example.COM", local + "+news@example.com", local + "@EXAMPLE.com"};
        for (String alias : aliases) {
            assertThat(api.post("/v1/verifications", mailApp.key(), Map.of("to", alias)).status()).as(alias).isEqualTo(201);
        }
        RateLimitAssertions.assertRefusedPerDestination(
                api.post("/v1/verifications", mailApp.key(), Map.of("to", local + "+6@example.com")));

        String gmail = "j.doe" + System.nanoTime();
        for (int i = 0; i < 5; i++) {
            String alias = i % 2 == 0 ? gmail + "+" + i + "@gmail.com" : gmail.replace(".", "") + "@googlemail.com";
            assertThat(api.post("/v1/verifications", mailApp.key(), Map.of("to", alias)).status()).as(alias).isEqualTo(201);
        }
        RateLimitAssertions.assertRefusedPerDestination(api.post("/v1/verifications", mailApp.key(),
                Map.of("to", String.join(".", gmail.replace(".", "").split("")) + "@gmail.com")));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(apps.messagesTo(local + "+1@example.com")).as("the message goes to the alias as given")
                        .hasSize(1));
        assertThat(api.post("/v1/verifications", mailApp.key(), Map.of("to", "other" + local + "@example.com")).status())
                .as("another mailbox").isEqualTo(201);
    }

    @Test
    void theTwentyFirstStartFromOneEndUserIpIsRefusedWhateverTheDestination_S32() {
        for (int i = 0; i < 20; i++) {
            assertThat(start(Map.of("to", TestApps.newPhone(), "end_user", Map.of("ip", "203.0.113.7"))).status())
                    .isEqualTo(201);
        }
        Response refused = start(Map.of("to", TestApps.newPhone(), "end_user", Map.of("ip", "203.0.113.7")));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.text("policy")).isEqualTo("starts-per-ip");
        assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"starts-per-ip\";q=20;w=600");
        assertThat(refused.body()).doesNotContain("203.0.113.7");

        assertThat(start(Map.of("to", TestApps.newPhone(), "end_user", Map.of("ip", "203.0.113.8"))).status()).isEqualTo(201);
    }

    @Test
    void anotherAppIsNotLimitedByTheStartsOfThisAppToTheSameDestination_S32() {
        String to = TestApps.newPhone();
        for (int i = 0; i < 5; i++) {
            assertThat(start(Map.of("to", to)).status()).isEqualTo(201);
        }
        TestApp other = new TestApps(api, ADMIN_KEY).app();
        assertThat(api.post("/v1/verifications", other.key(), Map.of("to", to)).status()).isEqualTo(201);
    }
}
