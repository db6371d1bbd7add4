package dev.otpgate.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh PostgreSQL database per test class, dropped when the JVM ends. Connects to
 * {@code OTPGATE_TEST_PG_URL} (default {@code jdbc:postgresql://127.0.0.1:5432/}) as {@code OTPGATE_TEST_PG_USER}
 * (default {@code postgres}). Without a reachable server the PostgreSQL suite is skipped loudly on a developer's
 * machine, and fails in CI ({@code CI=true}).
 */
public final class PostgresTestDatabase {

    public static final String BASE_URL = env("OTPGATE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    public static final String USER = env("OTPGATE_TEST_PG_USER", "postgres");
    public static final String PASSWORD = env("OTPGATE_TEST_PG_PASSWORD", "");

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
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(name)));
        return BASE_URL + name;
    }

    private static void drop(String name) {
        try (Connection connection = DriverManager.getConnection(BASE_URL + "postgres", USER, PASSWORD);
                Statement statement = connection.createStatement()) {
            statement.execute("drop database if exists " + name + " with (force)");
        } catch (SQLException e) {
            System.err.println("Could not drop test database " + name + ": " + e.getMessage());
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
