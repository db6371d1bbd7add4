package dev.otpgate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.support.ApiClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default as a newcomer meets it: a separate process with no configuration but its data directory,
 * given as the environment variable the docs name. First start prints the bootstrap admin key once and writes
 * it with mode 600; a restart keeps it and prints nothing new.
 */
class EmbeddedStartTests {

    private static final Pattern PRINTED_KEY = Pattern.compile("^\\s+(otpg_[0-9A-Za-z]{46})\\s*$");

    @TempDir
    Path dataDir;

    record Started(Process process, List<String> output) {}

    @Test
    void firstStartWhenTheDatabaseIsEmptyThenTheBootstrapKeyIsPrintedOnceAndTheDataDirectoryIsOwnerOnly_S40_S43() throws Exception {
        int port = freePort();
        Started first = start(port);
        try {
            String printed = first.output().stream().map(PRINTED_KEY::matcher).filter(Matcher::matches)
                    .map(matcher -> matcher.group(1)).findFirst().orElseThrow();
            Path keyFile = dataDir.resolve("bootstrap-admin-key");
            assertThat(Files.readString(keyFile).strip()).isEqualTo(printed);
            assertThat(Files.getPosixFilePermissions(keyFile))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            assertThat(Files.getPosixFilePermissions(dataDir.resolve("keys/master.key")))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            assertThat(first.output()).anyMatch(line -> line.contains("otpgate is ready at https://localhost:" + port));
            assertThat(first.output()).anyMatch(line -> line.contains("curl --cacert " + dataDir.resolve("tls/ca.pem")));

            ApiClient api = new ApiClient("https://localhost:" + port, dataDir.resolve("tls/ca.pem"));
            assertThat(api.post("/v1/apps", printed, Map.of("name", "First")).status()).isEqualTo(201);
        } finally {
            stop(first);
        }

        // S-40, S-43: everything in the data directory is the owner's alone, and a looser entry is fixed on start.
        try (java.util.stream.Stream<Path> entries = Files.walk(dataDir)) {
            for (Path entry : entries.toList()) {
                assertThat(Files.getPosixFilePermissions(entry)).as(entry.toString())
                        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString(
                                Files.isDirectory(entry) ? "rwx------" : "rw-------"));
            }
        }
        Path database = dataDir.resolve("db/otpgate.mv.db");
        assertThat(database).exists();
        Files.setPosixFilePermissions(database, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(dataDir.resolve("db"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

        Started again = start(port);
        try {
            assertThat(Files.getPosixFilePermissions(database)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE));
            assertThat(Files.getPosixFilePermissions(dataDir.resolve("db")))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            assertThat(again.output()).anyMatch(line -> line.contains("had entries others could read")
                    && line.contains("db/otpgate.mv.db"));
            assertThat(again.output()).noneMatch(line -> PRINTED_KEY.matcher(line).matches());
            String key = Files.readString(dataDir.resolve("bootstrap-admin-key")).strip();
            ApiClient api = new ApiClient("https://localhost:" + port, dataDir.resolve("tls/ca.pem"));
            assertThat(api.get("/v1/apps", key).json().get("apps")).hasSize(1);
        } finally {
            stop(again);
        }
    }

    private Started start(int port) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OtpgateApplication.class.getName(), "--server.port=" + port, "--management.server.port=0")
                .redirectErrorStream(true);
        builder.environment().put("OTPGATE_DATA_DIR", dataDir.toString());
        builder.environment().remove("OTPGATE_BOOTSTRAP_ADMIN_KEY");
        builder.environment().remove("OTPGATE_MASTER_KEY");
        Process process = builder.start();
        List<String> output = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        String line;
        while (Instant.now().isBefore(deadline) && (line = reader.readLine()) != null) {
            output.add(line);
            if (line.contains("curl --cacert") || line.contains("APPLICATION FAILED TO START")) {
                break;
            }
        }
        Thread drain = new Thread(() -> reader.lines().forEach(ignored -> { }));
        drain.setDaemon(true);
        drain.start();
        Started started = new Started(process, output);
        if (output.stream().noneMatch(l -> l.contains("otpgate is ready"))) {
            // Not ready in time or failed: the process must not outlive the test.
            stop(started);
        }
        assertThat(output).as(String.join("\n", output)).anyMatch(l -> l.contains("otpgate is ready"));
        return started;
    }

    private static void stop(Started started) throws InterruptedException {
        started.process().destroy();
        if (!started.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            started.process().destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
