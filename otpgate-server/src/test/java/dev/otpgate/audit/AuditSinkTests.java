package dev.otpgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps.TestApp;
import dev.otpgate.support.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sinks against real peers: a real rsyslog daemon receiving RFC 5424 over TCP (also across its own restart:
 * nothing is lost while it is down), a JSON Lines file that survives rotation, and stdout through the logger. Every
 * sink carries the same lines, and what the file sink wrote verifies offline.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "otpgate.audit.sink-interval=200ms",
                "otpgate.audit.checkpoint-rows=3", "otpgate.audit.sinks.stdout=true"})
@ExtendWith(OutputCaptureExtension.class)
class AuditSinkTests extends ServerTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static Rsyslog rsyslog;
    private static Path file;

    @DynamicPropertySource
    static void sinks(DynamicPropertyRegistry registry) throws Exception {
        TestDatabases.h2(registry);
        Rsyslog.requireInstalled();
        rsyslog = new Rsyslog(Rsyslog.freePort());
        rsyslog.start();
        file = Files.createTempDirectory("audit-file-sink-").resolve("audit.jsonl");
        registry.add("otpgate.audit.sinks.syslog.host", () -> "127.0.0.1");
        registry.add("otpgate.audit.sinks.syslog.port", () -> rsyslog.port);
        registry.add("otpgate.audit.sinks.file", file::toString);
    }

    @AfterAll
    static void stopDaemon() throws InterruptedException {
        if (rsyslog != null) {
            rsyslog.close();
        }
    }

    @Test
    void theSyslogDaemonReceivesEachRowAsRfc5424() throws Exception {
        TestApp app = fixtures.app();
        String line = awaitLine(() -> rsyslog.received(), app.id());
        String[] fields = line.split("\\|", 8);
        assertThat(fields[0]).as("PRI: facility 13 (log audit), severity notice").isEqualTo("109");
        assertThat(fields[1]).as("RFC 5424 version").isEqualTo("1");
        assertThat(Instant.parse(fields[2].replace("+00:00", "Z"))).isBeforeOrEqualTo(Instant.now());
        assertThat(fields[4]).isEqualTo("otpgate");
        assertThat(fields[5]).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(fields[6]).isEqualTo("audit_event");
        JsonNode event = JSON.readTree(fields[7].strip());
        assertThat(event.get("type").asString()).isEqualTo("audit_event");
        assertThat(event.get("action").asString()).isEqualTo("app.created");
        assertThat(event.get("hash").asString()).isEqualTo(jdbc.sql("select hash from audit_events where sequence = ?")
                .param(event.get("sequence").asLong()).query(String.class).single());
        String checkpoint = awaitLine(() -> rsyslog.received(), "|audit_checkpoint|");
        assertThat(checkpoint).startsWith("110|1|");
    }

    @Test
    void rowsWrittenWhileTheDaemonIsDownArriveWhenItIsBack() throws Exception {
        TestApp before = fixtures.app();
        awaitLine(() -> rsyslog.received(), before.id());
        rsyslog.stop();
        TestApp during = fixtures.app();
        AuditTrailContract.await(() -> jdbc.sql("select failing_since from audit_sink_positions where sink = 'syslog'")
                .query(java.sql.Timestamp.class).optional().isPresent(), "the syslog sink to notice the daemon is gone");
        assertThat(rsyslog.received()).doesNotContain(during.id());
        rsyslog.start();
        awaitLine(() -> rsyslog.received(), during.id());
        AuditTrailContract.await(() -> jdbc.sql("select failing_since from audit_sink_positions where sink = 'syslog'")
                .query(java.sql.Timestamp.class).optional().isEmpty(), "the syslog sink to recover");
        long delivered = jdbc.sql("select sequence from audit_sink_positions where sink = 'syslog'").query(Long.class).single();
        String received = rsyslog.received();
        for (long sequence = 1; sequence <= delivered; sequence++) {
            assertThat(received).as("row %d at the daemon", sequence).contains("\"sequence\":" + sequence + ",");
        }
    }

    @Test
    void theFileSinkFollowsARotationAndWhatItWroteVerifiesOffline() throws Exception {
        TestApp first = fixtures.app();
        awaitLine(() -> read(file), first.id());
        Path rotated = file.resolveSibling("audit.jsonl.1");
        Files.move(file, rotated);
        TestApp second = fixtures.app();
        fixtures.app();
        fixtures.app();
        awaitLine(() -> read(file), second.id());
        assertThat(read(rotated)).doesNotContain(second.id());
        long head = jdbc.sql("select sequence from audit_head").query(Long.class).single();
        AuditTrailContract.await(() -> read(file).contains("\"sequence\":" + head + ","), "the head row in the file");
        Response key = api.get("/v1/audit-events/public-key", ADMIN_KEY);
        String both = read(rotated) + read(file);
        AuditTrailContract.Offline result = AuditTrailContract.offline(both, key.body());
        assertThat(result.exit()).as(result.out()).isZero();
    }

    @Test
    void stdoutCarriesTheSameLines(CapturedOutput output) throws Exception {
        TestApp app = fixtures.app();
        AuditTrailContract.await(() -> output.getOut().contains(app.id()), "the row on stdout");
        String line = output.getOut().lines().filter(l -> l.contains(app.id()) && l.contains("otpgate.audit")).findFirst().orElseThrow();
        assertThat(line).contains("\"type\":\"audit_event\"").contains("\"action\":\"app.created\"");
        assertThat(output.getAll()).doesNotContain(ADMIN_KEY).doesNotContain(app.key());
    }

    private static String read(Path path) {
        try {
            return Files.exists(path) ? Files.readString(path) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    interface Source {
        String text() throws IOException;
    }

    private static String awaitLine(Source source, String needle) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            List<String> lines = source.text().lines().filter(line -> line.contains(needle)).toList();
            if (!lines.isEmpty()) {
                return lines.getFirst();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for a line with " + needle + " in:\n" + source.text());
    }
}
