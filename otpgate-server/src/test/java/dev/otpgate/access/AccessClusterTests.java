package dev.otpgate.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.support.ApiClient;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.Concurrently;
import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestApps;
import dev.otpgate.support.TestApps.TestApp;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import dev.otpgate.OtpgateApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Two server processes started at the same moment on one empty PostgreSQL database, as a cluster's first start:
 * they make one bootstrap key between them, and a key revoked, rotated or an app changed on one node is honoured
 * by the other within a second although the other had it cached (the cache lives 10 s).
 */
class AccessClusterTests {

    static final List<Process> processes = new ArrayList<>();
    static final List<Path> dataDirs = new ArrayList<>();
    static ApiClient nodeA;
    static ApiClient nodeB;
    static String adminKey;
    static JdbcClient jdbc;

    @BeforeAll
    static void startTwoNodesTogether() throws Exception {
        PostgresTestDatabase.requireReachable();
        String url = PostgresTestDatabase.create();
        jdbc = JdbcClient.create(new DriverManagerDataSource(url, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD));
        Path keys = clusterKeys();
        List<Integer> ports = new ArrayList<>();
        List<ProcessBuilder> builders = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path dataDir = Files.createTempDirectory("otpgate-access-cluster-");
            copy(keys, dataDir);
            dataDirs.add(dataDir);
            int port = freePort();
            ports.add(port);
            builders.add(new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                    "-Xmx512m", "dev.otpgate.OtpgateApplication",
                    "--server.port=" + port, "--management.server.port=" + freePort(), "--otpgate.data-dir=" + dataDir,
                    "--spring.datasource.url=" + url, "--spring.datasource.username=" + PostgresTestDatabase.USER,
                    "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD,
                    "--db-scheduler.scheduler-name=node-" + i, "--otpgate.cache.ttl=10s",
                    // The PostgreSQL server is shared with the other suites: a small pool per node.
                    "--spring.datasource.hikari.maximum-pool-size=5", "--spring.datasource.hikari.minimum-idle=1")
                    .redirectErrorStream(true).redirectOutput(dataDir.resolve("console.log").toFile()));
        }
        processes.addAll(Concurrently.run(2, i -> builders.get(i).start()));
        for (int i = 0; i < 2; i++) {
            awaitReady(processes.get(i), dataDirs.get(i).resolve("console.log"));
        }
        nodeA = new ApiClient("https://localhost:" + ports.get(0), dataDirs.get(0).resolve("tls/ca.pem"));
        nodeB = new ApiClient("https://localhost:" + ports.get(1), dataDirs.get(1).resolve("tls/ca.pem"));
    }

    @AfterAll
    static void stopNodes() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * The nodes of a cluster share their master key and key sets (and here the TLS CA): made once by a node on a
     * throwaway in-memory database, so that the shared PostgreSQL database is still empty when the cluster starts.
     */
    static Path clusterKeys() throws IOException {
        Path dataDir = Files.createTempDirectory("otpgate-access-keys-");
        try (ConfigurableApplicationContext node = new SpringApplicationBuilder(OtpgateApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--otpgate.data-dir=" + dataDir,
                "--spring.datasource.url=jdbc:h2:mem:keys-" + java.util.UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                "--otpgate.bootstrap-admin-key=" + ApiKeySecrets.generate())) {
            assertThat(node.isActive()).isTrue();
        }
        return dataDir;
    }

    static void copy(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (!path.getFileName().toString().equals("bootstrap-admin-key")) {
                    Files.copy(path, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void awaitReady(Process process, Path console) throws IOException {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(console) ? Files.readString(console, StandardCharsets.UTF_8) : "";
            if (text.contains("otpgate is ready at")) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("a node exited while starting:\n" + text);
            }
            sleep(200);
        }
        throw new AssertionError("a node did not start within 4 minutes");
    }

    /** Polls until {@code refused} holds and returns how long that took; fails after five seconds. */
    static Duration timeUntil(Supplier<Boolean> refused) {
        long started = System.nanoTime();
        while (!refused.get()) {
            if (System.nanoTime() - started > Duration.ofSeconds(5).toNanos()) {
                throw new AssertionError("not refused within 5 s");
            }
            sleep(20);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static synchronized String adminKey() {
        if (adminKey == null) {
            List<Path> files = dataDirs.stream().map(dir -> dir.resolve("bootstrap-admin-key")).filter(Files::exists).toList();
            assertThat(files).as("one node wrote the bootstrap key file").hasSize(1);
            try {
                adminKey = Files.readString(files.getFirst(), StandardCharsets.US_ASCII).strip();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return adminKey;
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void startWhenTwoNodesStartTogetherOnAnEmptyDatabaseThenExactlyOneBootstrapKeyExistsAndWorksOnBoth() throws Exception {
        assertThat(jdbc.sql("select count(*) from api_keys where bootstrap = true").query(Integer.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from api_keys where app_id is null").query(Integer.class).single())
                .isGreaterThanOrEqualTo(1);
        long printed = dataDirs.stream().filter(dir -> read(dir.resolve("console.log")).contains("Bootstrap admin key (shown once")).count();
        assertThat(printed).as("exactly one node printed a key").isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from api_keys where app_id is null and name = 'bootstrap admin'")
                .query(Integer.class).single()).isEqualTo(1);
        assertThat(nodeA.get("/v1/admin/api-keys", adminKey()).status()).isEqualTo(200);
        assertThat(nodeB.get("/v1/admin/api-keys", adminKey()).status()).isEqualTo(200);
    }

    @Test
    void revokeWhenDoneOnOneNodeThenTheOtherRefusesTheCachedKeyWithinASecond_S24() throws Exception {
        TestApp app = new TestApps(nodeA, adminKey()).app();
        assertThat(nodeB.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);
        String keyId = nodeA.get("/v1/apps/" + app.id() + "/api-keys", adminKey()).json().get("api_keys").get(0)
                .get("id").asString();

        assertThat(nodeA.delete("/v1/apps/" + app.id() + "/api-keys/" + keyId, adminKey()).status()).isEqualTo(204);
        Duration took = timeUntil(() -> nodeB.get("/v1/fraud/blocks", app.key()).status() == 401);
        assertThat(took).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void revokeWhenAnAdminKeyIsRevokedOnOneNodeThenTheOtherRefusesItWithinASecond() throws Exception {
        Response created = nodeA.post("/v1/admin/api-keys", adminKey(), Map.of("name", "ops"));
        String ops = created.text("secret");
        assertThat(nodeB.get("/v1/apps", ops).status()).isEqualTo(200);
        assertThat(nodeA.delete("/v1/admin/api-keys/" + created.text("id"), adminKey()).status()).isEqualTo(204);
        assertThat(timeUntil(() -> nodeB.get("/v1/apps", ops).status() == 401)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void rotateWhenGraceIsZeroOnOneNodeThenTheOtherRefusesTheOldSecretWithinASecondAndAcceptsTheNewOne() throws Exception {
        TestApp app = new TestApps(nodeA, adminKey()).app();
        String keys = "/v1/apps/" + app.id() + "/api-keys";
        assertThat(nodeB.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);
        String keyId = nodeA.get(keys, adminKey()).json().get("api_keys").get(0).get("id").asString();

        Response rotated = nodeA.post(keys + "/" + keyId + "/rotate", adminKey(), Map.of("grace_seconds", 0));
        assertThat(rotated.status()).isEqualTo(201);
        assertThat(timeUntil(() -> nodeB.get("/v1/fraud/blocks", app.key()).status() == 401)).isLessThan(Duration.ofSeconds(1));
        assertThat(nodeB.get("/v1/fraud/blocks", rotated.text("secret")).status()).isEqualTo(200);
    }

    @Test
    void updateWhenAnAppChangesOnOneNodeThenTheOtherServesTheNewSettingsWithinASecond() throws Exception {
        TestApp app = new TestApps(nodeA, adminKey()).app();
        assertThat(nodeB.get("/v1/apps/" + app.id(), adminKey()).text("name")).isEqualTo("Test App");
        assertThat(nodeA.patch("/v1/apps/" + app.id(), adminKey(), Map.of("name", "Renamed")).status()).isEqualTo(200);
        assertThat(timeUntil(() -> "Renamed".equals(nodeB.get("/v1/apps/" + app.id(), adminKey()).text("name"))))
                .isLessThan(Duration.ofSeconds(1));

        assertThat(nodeB.get("/v1/fraud/blocks", app.key()).status()).isEqualTo(200);
        assertThat(nodeA.delete("/v1/apps/" + app.id(), adminKey()).status()).isEqualTo(204);
        assertThat(timeUntil(() -> nodeB.get("/v1/fraud/blocks", app.key()).status() == 401)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void revokeWhenTwoNodesRevokeTheLastTwoAdminKeysAtOnceThenOneSucceedsAndOneAdminKeyRemains() throws Exception {
        String bootstrap = adminKey();
        String k1 = nodeA.post("/v1/admin/api-keys", bootstrap, Map.of("name", "k1")).text("secret");
        Response k2 = nodeA.post("/v1/admin/api-keys", bootstrap, Map.of("name", "k2"));
        Response k3 = nodeA.post("/v1/admin/api-keys", bootstrap, Map.of("name", "k3"));
        // Leave exactly two active admin keys: k2 and k3, then each node revokes one of them.
        for (var key : nodeA.get("/v1/admin/api-keys", k1).json().get("api_keys")) {
            String id = key.get("id").asString();
            if (key.get("revoked_at") == null && !id.equals(k2.text("id")) && !id.equals(k3.text("id"))) {
                Response revoked = nodeA.delete("/v1/admin/api-keys/" + id, k2.text("secret"));
                assertThat(revoked.status()).as(revoked.body()).isEqualTo(204);
            }
        }
        List<Integer> statuses = Concurrently.run(2, i -> i == 0
                ? nodeA.delete("/v1/admin/api-keys/" + k2.text("id"), k3.text("secret")).status()
                : nodeB.delete("/v1/admin/api-keys/" + k3.text("id"), k2.text("secret")).status());
        assertThat(statuses).containsOnlyOnce(204);
        assertThat(jdbc.sql("select count(*) from api_keys where app_id is null and revoked_at is null")
                .query(Integer.class).single()).isEqualTo(1);
        // The other tests go on with whichever key survived.
        adminKey = nodeB.get("/v1/apps", k2.text("secret")).status() == 200 ? k2.text("secret") : k3.text("secret");
        assertThat(nodeB.get("/v1/apps", adminKey).status()).isEqualTo(200);
    }
}
