package dev.otpgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * An admin action and its audit row commit together, also across a crash: the server is killed with SIGKILL while
 * apps and API keys are being created from several clients. After a restart every action that was answered 201 has
 * its row, no row names an action that did not happen, and the chain verifies.
 */
class AuditCrashTests {

    private static final String ADMIN_KEY = ApiKeySecrets.generate();

    @TempDir
    Path dataDir;

    @Test
    void killDashNineRightAfterAdminActionsThenEveryCommittedActionHasItsRowAndTheChainVerifies() throws Exception {
        int port = freePort();
        Set<String> committed = ConcurrentHashMap.newKeySet();
        Process first = start(port, "first");
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new java.util.ArrayList<>();
        try {
            ApiClient api = new ApiClient("https://localhost:" + port, dataDir.resolve("tls/ca.pem"));
            for (int c = 0; c < 4; c++) {
                clients.add(Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        try {
                            ApiClient.Response app = api.post("/v1/apps", ADMIN_KEY, Map.of("name", "Crash"));
                            if (app.status() != 201) {
                                continue;
                            }
                            committed.add("app.created:" + app.text("id"));
                            ApiClient.Response key = api.post("/v1/apps/" + app.text("id") + "/api-keys", ADMIN_KEY,
                                    Map.of("name", "k", "scopes", List.of()));
                            if (key.status() == 201) {
                                committed.add("api_key.created:" + key.text("id"));
                            }
                        } catch (RuntimeException killed) {
                            return;
                        }
                    }
                }));
            }
            waitUntil(() -> committed.size() >= 40, Duration.ofSeconds(60), () -> committed.size() + " actions");
        } finally {
            // Killed while the clients are still sending: some actions are mid-transaction.
            first.destroyForcibly();
            first.waitFor(20, TimeUnit.SECONDS);
            running.set(false);
            for (Thread client : clients) {
                client.join(Duration.ofSeconds(40));
            }
        }

        Process second = start(port, "second");
        try {
            ApiClient api = new ApiClient("https://localhost:" + port, dataDir.resolve("tls/ca.pem"));
            Set<String> recorded = new HashSet<>();
            String cursor = null;
            do {
                ApiClient.Response page = api.get("/v1/audit-events?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), ADMIN_KEY);
                assertThat(page.status()).as(page.body()).isEqualTo(200);
                page.json().get("events").forEach(event -> recorded.add(event.get("action").asString() + ":"
                        + event.get("target_id").asString()));
                cursor = page.json().has("next_cursor") ? page.json().get("next_cursor").asString() : null;
            } while (cursor != null);
            assertThat(recorded).as("every action answered 201 before the kill has its row").containsAll(committed);

            Set<String> apps = new HashSet<>();
            api.get("/v1/apps", ADMIN_KEY).json().get("apps").forEach(app -> apps.add(app.get("id").asString()));
            for (String row : recorded) {
                if (row.startsWith("app.created:")) {
                    assertThat(apps).as("the app a row says was created exists").contains(row.substring("app.created:".length()));
                }
            }
            JsonNode report = api.get("/v1/audit-events/verify", ADMIN_KEY).json();
            assertThat(report.get("valid").asBoolean()).as(report.toString()).isTrue();
            assertThat(report.get("last_sequence").asLong()).isGreaterThanOrEqualTo(committed.size());
        } finally {
            second.destroy();
            if (!second.waitFor(20, TimeUnit.SECONDS)) {
                second.destroyForcibly();
            }
        }
    }

    private Process start(int port, String name) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OtpgateApplication.class.getName(), "--server.port=" + port, "--management.server.port=0")
                .redirectErrorStream(true).redirectOutput(dataDir.resolve(name + ".log").toFile());
        builder.environment().put("OTPGATE_DATA_DIR", dataDir.toString());
        builder.environment().put("OTPGATE_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        builder.environment().remove("OTPGATE_MASTER_KEY");
        Process process = builder.start();
        Path log = dataDir.resolve(name + ".log");
        waitUntil(() -> readable(log).contains("otpgate is ready") || readable(log).contains("APPLICATION FAILED TO START")
                || !process.isAlive(), Duration.ofSeconds(120), () -> "the " + name + " server to start:\n" + readable(log));
        assertThat(readable(log)).contains("otpgate is ready");
        return process;
    }

    private static String readable(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout,
            java.util.function.Supplier<String> what) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
