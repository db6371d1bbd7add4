package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

class KeyCheckTests {

    @TempDir
    Path dataDir;

    @Test
    void startWhenTheKeySetsAreNotTheOnesTheDatabaseWasWrittenWithThenRefused_S42() throws Exception {
        List<String> arguments = List.of("--server.port=0", "--management.server.port=0", "--otpgate.data-dir=" + dataDir,
                "--otpgate.bootstrap-admin-key=" + ApiKeySecrets.generate());
        try (ConfigurableApplicationContext first = start(arguments)) {
            assertThat(first.isRunning()).isTrue();
        }
        try (ConfigurableApplicationContext again = start(arguments)) {
            assertThat(again.isRunning()).isTrue();
        }
        try (Stream<Path> keys = Files.list(dataDir.resolve("keys"))) {
            for (Path file : keys.filter(f -> f.toString().endsWith(".json")).toList()) {
                Files.delete(file);
            }
        }
        assertThatThrownBy(() -> start(arguments).close())
                .satisfies(failure -> assertThat(TestServers.rootCause(failure).getMessage())
                        .contains("are not the ones this database was written with"));
    }

    private static ConfigurableApplicationContext start(List<String> arguments) {
        return new SpringApplicationBuilder(OtpgateApplication.class).run(arguments.toArray(String[]::new));
    }
}
