package dev.otpgate.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.springframework.boot.SpringApplication;

/**
 * A fresh PostgreSQL database per test class, dropped when the JVM ends, after the Spring contexts that use it
 * have closed. Connects to
 * {@code OTPGATE_TEST_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/}) as {@code OTPGATE_TEST_PG_USER}
 * (default {@code postgres}). Without a reachable server the PostgreSQL suite is skipped loudly on a developer's
 * machine, and fails in CI ({@code CI=true}).
 */
public final class PostgresTestDatabase {

    public static final String BASE_URL = env("OTPGATE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    public static final String USER = env("OTPGATE_TEST_PG_USER", "postgres");
    public static final String PASSWORD = env("OTPGATE_TEST_PG_PASSWORD", "");

    private static final Set<String> CREATED = ConcurrentHashMap.newKeySet();

    static {
        // Spring Boot runs its shutdown handlers after it has closed the application contexts, in its one JVM
        // shutdown hook. A plain shutdown hook of our own would run beside that one: a database dropped under a
        // context's live pool makes Hikari keep retrying a connection to it while the context closes, and that
        // wait, for every cached context, outlasted Surefire's 30 s between System.exit and killing the fork.
        SpringApplication.getShutdownHandlers().add(PostgresTestDatabase::dropAll);
    }

    private PostgresTestDatabase() {}

    /** Skips (locally) or fails (CI) the calling test class when PostgreSQL cannot be reached. */
    public static void requireReachable() {
        try (Connection connection = DriverManager.getConnection(BASE_URL + "postgres", USER, PASSWORD)) {
            connection.isValid(5);
        } catch (SQLException e) {
            unavailable(e);
        }
    }

    /** Creates a database and returns its JDBC URL. */
    public static String create() {
        String name = "otpgate_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection connection = DriverManager.getConnection(BASE_URL + "postgres", USER, PASSWORD);
                Statement statement = connection.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            unavailable(e);
        }
        CREATED.add(name);
        return BASE_URL + name;
    }

    /** Drops every database this JVM created, once the Spring contexts that used them are closed. */
    private static void dropAll() {
        if (CREATED.isEmpty()) {
            return;
        }
        try (Connection connection = DriverManager.getConnection(BASE_URL + "postgres", USER, PASSWORD);
                Statement statement = connection.createStatement()) {
            for (String name : CREATED) {
                try {
                    statement.execute("drop database if exists " + name + " with (force)");
                } catch (SQLException e) {
                    System.err.println("Could not drop test database " + name + ": " + e.getMessage());
                }
            }
        } catch (SQLException e) {
            System.err.println("Could not drop the test databases " + CREATED + ": " + e.getMessage());
        }
    }

    private static void unavailable(SQLException e) {
        String message = "PostgreSQL is not reachable at " + BASE_URL + " as " + USER + ": " + e.getMessage();
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message + " (CI=true: the PostgreSQL suite must run)", e);
        }
        System.err.println();
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        System.err.println("!!! SKIPPING THE POSTGRESQL SUITE: " + message);
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        System.err.println();
        Assumptions.abort(message);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
