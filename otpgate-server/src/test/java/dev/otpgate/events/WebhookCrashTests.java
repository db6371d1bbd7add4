package dev.otpgate.events;

import static dev.otpgate.events.WebhookReceiver.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.events.WebhookReceiver.Answer;
import dev.otpgate.support.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least once across a crash: the server is killed with SIGKILL right after its starts committed, while some
 * events are in flight to a receiver that does not answer and the rest wait in the outbox. After a restart every
 * event is delivered; none is lost.
 */
class WebhookCrashTests {

    private static final String ADMIN_KEY = ApiKeySecrets.generate();

    @TempDir
    Path dataDir;

    @Test
    void killDashNineRightAfterCommitsThenAfterRestartEveryEventIsDelivered() throws Exception {
        int port = freePort();
        try (WebhookReceiver receiver = new WebhookReceiver(InetAddress.getByName("127.0.0.1"))) {
            String path = "/crash";
            receiver.answerByDefault(path, new Answer(204, Map.of(), Duration.ofSeconds(60)));
            Process first = start(port, receiver, "first");
            Set<String> started = new HashSet<>();
            try {
                ApiClient api = new ApiClient("https://localhost:" + port, dataDir.resolve("tls/ca.pem"));
                ApiClient.Response app = api.post("/v1/apps", ADMIN_KEY, Map.of("name", "Crash hooks"));
                String appId = app.text("id");
                String key = api.post("/v1/apps/" + appId + "/api-keys", ADMIN_KEY, Map.of("name", "k", "scopes", List.of()))
                        .text("secret");
                ApiClient.Response hook = api.post("/v1/apps/" + appId + "/webhooks", ADMIN_KEY,
                        Map.of("url", "https://localhost:" + receiver.port() + path, "events", List.of("verification.started")));
                assertThat(hook.status()).as(hook.body()).isEqualTo(201);
                for (int i = 0; i < 20; i++) {
                    ApiClient.Response verification = api.post("/v1/verifications", key,
                            Map.of("to", "+1415555" + String.format("%04d", 100 + i)));
                    assertThat(verification.status()).as(verification.body()).isEqualTo(201);
                    started.add(verification.text("id"));
                }
            } finally {
                first.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful stop
                first.waitFor(20, TimeUnit.SECONDS);
            }
            Instant restarted = Instant.now();
            receiver.answerByDefault(path, Answer.status(204));
            Process second = start(port, receiver, "second");
            try {
                waitUntil(() -> afterRestart(receiver, path, restarted).containsAll(started), Duration.ofSeconds(120),
                        "every event after the restart; got " + afterRestart(receiver, path, restarted).size() + " of 20\n"
                                + tail(dataDir.resolve("second.log")));
            } finally {
                second.destroy();
                if (!second.waitFor(20, TimeUnit.SECONDS)) {
                    second.destroyForcibly();
                }
            }
        }
    }

    private static Set<String> afterRestart(WebhookReceiver receiver, String path, Instant restarted) {
        return receiver.at(path).stream().filter(r -> r.at().isAfter(restarted))
                .map(r -> WebhookApiContract.JSON.readTree(r.body()).get("data").get("verification_id").asString())
                .collect(Collectors.toSet());
    }

    private Process start(int port, WebhookReceiver receiver, String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OtpgateApplication.class.getName(), "--server.port=" + port, "--management.server.port=0",
                "--db-scheduler.polling-interval=1s",
                "--otpgate.webhooks.allowed-private-networks=127.0.0.0/8,::1/128",
                "--otpgate.webhooks.ssl-bundle=hooks",
                "--spring.ssl.bundle.pem.hooks.truststore.certificate=file:" + receiver.caPem(),
                "--otpgate.webhooks.lease=25s", "--otpgate.webhooks.timeout=20s", "--otpgate.webhooks.poll-interval=200ms")
                .redirectErrorStream(true).redirectOutput(dataDir.resolve(name + ".log").toFile());
        builder.environment().put("OTPGATE_DATA_DIR", dataDir.toString());
        builder.environment().put("OTPGATE_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        builder.environment().remove("OTPGATE_MASTER_KEY");
        Process process = builder.start();
        Path log = dataDir.resolve(name + ".log");
        waitUntil(() -> readable(log).contains("otpgate is ready") || readable(log).contains("APPLICATION FAILED TO START")
                || !process.isAlive(), Duration.ofSeconds(120), "the " + name + " server to start:\n" + tail(log));
        assertThat(readable(log)).as(tail(log)).contains("otpgate is ready");
        return process;
    }

    private static String readable(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(Path file) {
        String text = readable(file);
        return text.length() <= 6000 ? text : text.substring(text.length() - 6000);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
