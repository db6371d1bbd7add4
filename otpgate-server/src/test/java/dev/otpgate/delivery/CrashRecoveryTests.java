package dev.otpgate.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.otpgate.OtpgateApplication;
import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.support.ApiClient;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once delivery across a crash: the server is killed with SIGKILL while some messages are in a
 * provider call (their job rows claimed by the node's own dispatcher, which has four threads) and the rest, all
 * committed, still wait in memory for a dispatcher thread, their rows unclaimed. After a restart every accepted
 * verification's message is sent (the claimed rows are taken over once their heartbeats stop, the unclaimed
 * ones once the hand-off's grace is past), and none twice.
 */
class CrashRecoveryTests {

    private static final String ADMIN_KEY = ApiKeySecrets.generate();

    @TempDir
    Path dataDir;

    @Test
    void killDashNineWhileJobsAreQueuedAndInFlightThenAfterRestartEveryMessageIsSentOnce() throws Exception {
        int port = freePort();
        int smtpPort = freePort();
        List<Socket> held = new CopyOnWriteArrayList<>();
        // An SMTP server that accepts connections and never greets: sends hang inside the provider call.
        ServerSocket silent = new ServerSocket(smtpPort);
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    held.add(silent.accept());
                }
            } catch (IOException closed) {
                // The test closed it.
            }
        });

        Process first = start(port, smtpPort, "first");
        List<String> ids = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        try {
            ApiClient api = new ApiClient("https://localhost:" + port, dataDir.resolve("tls/ca.pem"));
            ApiClient.Response app = api.post("/v1/apps", ADMIN_KEY, Map.of("name", "Crash", "allowed_channels", List.of("email")));
            assertThat(app.status()).as(app.body()).isEqualTo(201);
            String key = api.post("/v1/apps/" + app.text("id") + "/api-keys", ADMIN_KEY,
                    Map.of("name", "k", "scopes", List.of())).text("secret");
            for (int i = 0; i < 20; i++) {
                String to = "person" + i + "@crash.example";
                ApiClient.Response started = api.post("/v1/verifications", key, Map.of("to", to));
                assertThat(started.status()).as(started.body()).isEqualTo(201);
                ids.add(started.text("id"));
                addresses.add(to);
            }
            waitUntil(() -> !held.isEmpty(), Duration.ofSeconds(20), () -> "a send in flight");
        } finally {
            first.destroyForcibly();
            first.waitFor(20, TimeUnit.SECONDS);
        }
        silent.close();
        acceptor.join();
        for (Socket socket : held) {
            socket.close();
        }

        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        Process second = start(port, smtpPort, "second");
        try {
            ApiClient check = new ApiClient("https://localhost:" + port, dataDir.resolve("tls/ca.pem"));
            String appId = check.get("/v1/apps", ADMIN_KEY).json().get("apps").get(0).get("id").asString();
            String readKey = check.post("/v1/apps/" + appId + "/api-keys", ADMIN_KEY,
                    Map.of("name", "reader", "scopes", List.of())).text("secret");
            for (String id : ids) {
                assertThat(check.get("/v1/verifications/" + id, readKey).status())
                        .as("verification %s, accepted with 201 before the kill, after the restart", id).isEqualTo(200);
            }
            waitUntil(() -> smtp.getReceivedMessages().length >= 20, Duration.ofSeconds(90),
                    () -> smtp.getReceivedMessages().length + " of 20 messages after the restart; log of the restarted server:\n"
                            + tail(dataDir.resolve("second.log")));
            Thread.sleep(2_000); // a duplicate would arrive now
            Map<String, Integer> perRecipient = new HashMap<>();
            for (MimeMessage message : smtp.getReceivedMessages()) {
                perRecipient.merge(message.getRecipients(Message.RecipientType.TO)[0].toString(), 1, Integer::sum);
            }
            assertThat(perRecipient.keySet()).containsExactlyInAnyOrderElementsOf(addresses);
            assertThat(perRecipient.values()).allMatch(count -> count == 1);

            ApiClient api = new ApiClient("https://localhost:" + port, dataDir.resolve("tls/ca.pem"));
            String key = api.post("/v1/apps/" + api.get("/v1/apps", ADMIN_KEY).json().get("apps").get(0).get("id").asString()
                    + "/api-keys", ADMIN_KEY, Map.of("name", "k2", "scopes", List.of())).text("secret");
            waitUntil(() -> ids.stream().allMatch(id -> "sent".equals(api.get("/v1/verifications/" + id, key)
                    .json().get("delivery").get("status").asString())), Duration.ofSeconds(20), () -> "every step recorded as sent: "
                    + ids.stream().map(id -> api.get("/v1/verifications/" + id, key).json().get("delivery").toString()).toList()
                    + "\n" + tail(dataDir.resolve("second.log")));
        } finally {
            second.destroy();
            if (!second.waitFor(20, TimeUnit.SECONDS)) {
                second.destroyForcibly();
            }
            smtp.stop();
        }
    }

    private Process start(int port, int smtpPort, String name) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OtpgateApplication.class.getName(), "--server.port=" + port, "--management.server.port=0",
                "--spring.mail.host=127.0.0.1", "--spring.mail.port=" + smtpPort,
                "--spring.mail.properties.mail.smtp.timeout=60000",
                "--db-scheduler.heartbeat-interval=1s", "--db-scheduler.missed-heartbeats-limit=4",
                "--db-scheduler.polling-interval=1s", "--otpgate.delivery.retry-backoff=1s",
                "--otpgate.delivery.handoff-threads=4", "--otpgate.delivery.handoff-grace=2s")
                .redirectErrorStream(true).redirectOutput(dataDir.resolve(name + ".log").toFile());
        builder.environment().put("OTPGATE_DATA_DIR", dataDir.toString());
        builder.environment().put("OTPGATE_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        builder.environment().remove("OTPGATE_MASTER_KEY");
        Process process = builder.start();
        Path log = dataDir.resolve(name + ".log");
        waitUntil(() -> readable(log).contains("otpgate is ready") || readable(log).contains("APPLICATION FAILED TO START")
                || !process.isAlive(), Duration.ofSeconds(120), () -> "the " + name + " server to start:\n" + tail(log));
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

    private static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout,
            java.util.function.Supplier<String> what) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.sleep(200);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
