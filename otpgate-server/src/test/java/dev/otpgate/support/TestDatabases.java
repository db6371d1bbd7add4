package dev.otpgate.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Properties for a test server: its own data directory and database, H2 in memory or PostgreSQL. */
public final class TestDatabases {

    private TestDatabases() {}

    /** A fresh data directory (TLS material, key sets) and the bootstrap admin key. */
    public static void server(DynamicPropertyRegistry registry, String adminKey) {
        try {
            Path dataDir = Files.createTempDirectory("otpgate-test-");
            registry.add("otpgate.data-dir", dataDir::toString);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        registry.add("otpgate.bootstrap-admin-key", () -> adminKey);
    }

    public static void h2(DynamicPropertyRegistry registry) {
        String name = "otpgate_" + UUID.randomUUID().toString().replace("-", "");
        registry.add("spring.datasource.url",
                () -> "jdbc:h2:mem:" + name + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1");
    }

    public static void postgres(DynamicPropertyRegistry registry) {
        String url = PostgresTestDatabase.create();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> PostgresTestDatabase.USER);
        registry.add("spring.datasource.password", () -> PostgresTestDatabase.PASSWORD);
    }
}
