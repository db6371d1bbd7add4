package dev.otpgate.platform;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the real server the way an operator does, from command-line arguments: those outrank
 * application.yml, which {@code SpringApplicationBuilder.properties(...)} (default properties) would not.
 */
final class TestServers {

    private TestServers() {}

    /** Arguments for an embedded-mode server on random ports with its own in-memory database. */
    static List<String> embeddedArguments(Path dataDir) {
        return new ArrayList<>(List.of(
                "--server.port=0",
                "--management.server.port=0",
                "--otpgate.data-dir=" + dataDir,
                "--spring.datasource.url=" + inMemoryDatabaseUrl(),
                "--otpgate.bootstrap-admin-key=" + ApiKeySecrets.generate()));
    }

    static String inMemoryDatabaseUrl() {
        return "jdbc:h2:mem:otpgate-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    static ConfigurableApplicationContext start(List<String> arguments) {
        return new SpringApplicationBuilder(OtpgateApplication.class).run(arguments.toArray(String[]::new));
    }

    static int apiPort(ConfigurableApplicationContext context) {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    static int managementPort(ConfigurableApplicationContext context) {
        return context.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
    }

    /** The innermost cause: what the operator reads at the bottom of a failed start. */
    static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
