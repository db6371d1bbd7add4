package dev.otpgate.support;

import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.support.TestServerConfiguration.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What the API suites share: a server on a random HTTPS port with its own data directory, a client that trusts
 * its CA, fixtures, the movable clock (reset after each test) and the recorded events. Subclasses carry their
 * own {@code @SpringBootTest} and choose the database.
 */
@Import(TestServerConfiguration.class)
public abstract class ServerTestSupport {

    protected static final String ADMIN_KEY = ApiKeySecrets.generate();

    @DynamicPropertySource
    static void serverProperties(DynamicPropertyRegistry registry) {
        TestDatabases.server(registry, ADMIN_KEY);
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected OtpgateProperties properties;

    @Autowired
    protected TestClock clock;

    @Autowired
    protected EventRecorder events;

    @Autowired
    protected JdbcClient jdbc;

    protected ApiClient api;
    protected TestApps fixtures;

    @BeforeEach
    void connectToServer() {
        api = new ApiClient("https://localhost:" + port, properties.dataDir().resolve("tls/ca.pem"));
        fixtures = new TestApps(api, ADMIN_KEY);
    }

    @AfterEach
    void resetClock() {
        clock.reset();
    }
}
