package dev.otpgate.audit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Assumptions;

/**
 * A real rsyslog daemon for a test: listens on a loopback TCP port ({@code imtcp}) and writes every message it
 * parsed to a file, one line of its RFC 5424 fields each ({@code pri|version|time|host|app|procid|msgid|msg}).
 * Without rsyslogd the test is skipped loudly on a developer's machine and fails on CI ({@code CI=true}).
 */
final class Rsyslog implements AutoCloseable {

    static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");

    final int port;
    final Path received;
    private final Path dir;
    private Process process;

    Rsyslog(int port) throws IOException {
        this.port = port;
        this.dir = Files.createTempDirectory("rsyslog-");
        this.received = dir.resolve("received.log");
        Files.writeString(dir.resolve("rsyslog.conf"), """
                global(workDirectory="%1$s")
                module(load="imtcp")
                input(type="imtcp" port="%2$d" address="127.0.0.1")
                template(name="fields" type="string"
                         string="%%pri%%|%%protocol-version%%|%%timereported:::date-rfc3339%%|%%hostname%%|%%app-name%%|%%procid%%|%%msgid%%|%%msg%%\\n")
                *.* action(type="omfile" file="%3$s" template="fields" flushOnTXEnd="on" asyncWriting="off")
                """.formatted(dir, port, received));
    }

    /** Skips (locally) or fails (CI) the calling test when rsyslogd is not installed. */
    static void requireInstalled() {
        if (Files.isExecutable(RSYSLOGD)) {
            return;
        }
        String message = RSYSLOGD + " is not installed (apt-get install -y rsyslog)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but " + message + ": the syslog sink must be tested against a real daemon");
        }
        System.err.println();
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        System.err.println("!!! SKIPPING THE SYSLOG SINK TEST: " + message);
        System.err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        System.err.println();
        Assumptions.abort(message);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(RSYSLOGD.toString(), "-n", "-f", dir.resolve("rsyslog.conf").toString(),
                "-i", dir.resolve("rsyslogd.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("rsyslogd exited: " + Files.readString(dir.resolve("rsyslogd.out")));
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("rsyslogd did not listen on " + port);
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor();
            process = null;
        }
    }

    String received() throws IOException {
        return Files.exists(received) ? Files.readString(received) : "";
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
