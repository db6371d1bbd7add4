import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Open-loop load: start+check pairs at a fixed rate, whatever the server's latency (Debian's wrk has no -R, and
 * wrk2 is not packaged). The schedule says pair i is due at t0 + i/rate; a fixed set of keep-alive TLS
 * connections (like wrk2's) takes due pairs from a queue and sends the start, then the check as soon as the
 * start's 201 arrives. The start's latency counts from the due time, not from the actual send, so a server that
 * falls behind shows up as queueing time instead of silently lowering the rate (no coordinated omission). The
 * check's latency counts from the moment the start answered. HTTP/1.1 is spoken by hand over blocking
 * SSLSockets: the JDK's HttpClient costs ~1.5 ms of CPU per request, which on a 2-core machine starves the
 * server it is measuring.
 *
 * <p>Run as a single-file program: {@code java OpenLoop.java --host localhost --port 18443 --key otpg_…
 * --cacert ca.pem --rate 300 --duration 30 --warmup 5 [--connections 32] [--timeline file]}.
 * Prints {@code BENCH <name> <value>} lines.
 */
public class OpenLoop {

    private static final Pattern ID = Pattern.compile("\"id\":\"(vrf_[a-z2-7]+)\"");

    record Pair(int slot, long due) {}

    /** {@code close}: the server said Connection: close (Tomcat does after 100 requests on a connection). */
    record Response(int status, String body, boolean close) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String host = opts.getOrDefault("host", "localhost");
        int port = Integer.parseInt(opts.getOrDefault("port", "18443"));
        String key = require(opts, "key");
        SSLContext tls = trusting(Path.of(require(opts, "cacert")));
        double rate = Double.parseDouble(require(opts, "rate"));
        double duration = Double.parseDouble(opts.getOrDefault("duration", "30"));
        double warmup = Double.parseDouble(opts.getOrDefault("warmup", "5"));
        int connections = Integer.parseInt(opts.getOrDefault("connections", "32"));
        String timeline = opts.get("timeline");

        long period = (long) (1e9 / rate);
        int warmupPairs = (int) Math.round(warmup * rate);
        int pairs = warmupPairs + (int) Math.round(duration * rate);
        int measured = pairs - warmupPairs;
        long[] due = new long[measured];
        long[] startLatency = new long[measured];
        long[] checkLatency = new long[measured];
        long[] pairLatency = new long[measured];
        Arrays.fill(startLatency, -1);
        Arrays.fill(checkLatency, -1);
        Arrays.fill(pairLatency, -1);
        AtomicInteger unexpected = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger reconnects = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicLong maxLag = new AtomicLong();
        LinkedBlockingQueue<Pair> queue = new LinkedBlockingQueue<>();
        Pair stop = new Pair(-1, 0);

        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            workers.add(Thread.ofPlatform().daemon().name("conn-" + c).start(() -> {
                Connection connection = null;
                while (true) {
                    Pair pair;
                    try {
                        pair = queue.take();
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (pair == stop) {
                        break;
                    }
                    int slot = pair.slot() - warmupPairs;
                    try {
                        if (connection == null) {
                            connection = new Connection(tls, host, port);
                        }
                        String to = String.format("+1415555%04d", 100 + ThreadLocalRandom.current().nextInt(100));
                        Response started = connection.post("/v1/verifications", key, "{\"to\":\"" + to + "\"}");
                        long startDone = System.nanoTime();
                        if (started.close()) {
                            connection.close();
                            connection = new Connection(tls, host, port);
                            reconnects.incrementAndGet();
                        }
                        Matcher id = ID.matcher(started.body());
                        if (started.status() != 201 || !id.find()) {
                            report(unexpected, "start", started);
                            continue;
                        }
                        Response checked = connection.post("/v1/verifications/" + id.group(1) + "/check", key,
                                "{\"code\":\"000000\"}");
                        long checkDone = System.nanoTime();
                        if (checked.close()) {
                            connection.close();
                            connection = null;
                            reconnects.incrementAndGet();
                        }
                        if (checked.status() != 422) {
                            report(unexpected, "check", checked);
                            continue;
                        }
                        if (slot >= 0) {
                            startLatency[slot] = startDone - pair.due();
                            checkLatency[slot] = checkDone - startDone;
                            pairLatency[slot] = checkDone - pair.due();
                        }
                    } catch (IOException e) {
                        if (failures.incrementAndGet() <= 3) {
                            System.err.println("request failed: " + e);
                        }
                        if (connection != null) {
                            connection.close();
                            connection = null;
                        }
                    } finally {
                        done.incrementAndGet();
                    }
                }
                if (connection != null) {
                    connection.close();
                }
            }));
        }

        long t0 = System.nanoTime() + 200_000_000L;
        for (int i = 0; i < pairs; i++) {
            long at = t0 + i * period;
            long wait;
            while ((wait = at - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            maxLag.accumulateAndGet(System.nanoTime() - at, Math::max);
            if (i >= warmupPairs) {
                due[i - warmupPairs] = at;
            }
            queue.add(new Pair(i, at));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (done.get() < pairs && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        int unfinished = pairs - done.get();
        queue.clear();
        for (int c = 0; c < connections; c++) {
            queue.add(stop);
        }

        long[] starts = completed(startLatency);
        long[] checks = completed(checkLatency);
        long[] pairTimes = completed(pairLatency);
        long[] requests = new long[starts.length + checks.length];
        System.arraycopy(starts, 0, requests, 0, starts.length);
        System.arraycopy(checks, 0, requests, starts.length, checks.length);
        Arrays.sort(requests);

        System.out.printf("BENCH target_pairs_per_s %.1f%n", rate);
        System.out.printf("BENCH connections %d%n", connections);
        System.out.printf("BENCH measured_pairs %d%n", measured);
        System.out.printf("BENCH completed_pairs %d%n", pairTimes.length);
        System.out.printf("BENCH unexpected_status %d%n", unexpected.get());
        System.out.printf("BENCH failed_requests %d%n", failures.get());
        System.out.printf("BENCH reconnects %d%n", reconnects.get());
        System.out.printf("BENCH unfinished_pairs %d%n", unfinished);
        System.out.printf("BENCH max_send_lag_ms %.2f%n", maxLag.get() / 1e6);
        print("latency", requests);
        print("start_latency", starts);
        print("check_latency", checks);
        print("pair_latency", pairTimes);
        if (timeline != null) {
            writeTimeline(Path.of(timeline), due, startLatency, checkLatency, pairLatency);
        }
        System.exit(0);
    }

    /** One keep-alive HTTP/1.1 connection over TLS; requests on it are sequential. */
    static final class Connection {

        private final SSLSocket socket;
        private final OutputStream out;
        private final InputStream in;
        private final String host;

        Connection(SSLContext tls, String host, int port) throws IOException {
            this.host = host;
            socket = (SSLSocket) tls.getSocketFactory().createSocket(host, port);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16384);
        }

        Response post(String path, String key, String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
            byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
            byte[] request = Arrays.copyOf(headBytes, headBytes.length + body.length);
            System.arraycopy(body, 0, request, headBytes.length, body.length);
            out.write(request);
            out.flush();
            return read();
        }

        private Response read() throws IOException {
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("bad status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).trim().toLowerCase();
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase().contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                        size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    body.write(in.readNBytes(size));
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                body.write(in.readNBytes((int) length));
            }
            return new Response(status, body.toString(StandardCharsets.UTF_8), close);
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static void report(AtomicInteger unexpected, String what, Response response) {
        if (unexpected.incrementAndGet() <= 3) {
            String body = response.body();
            System.err.println("unexpected " + what + " status " + response.status() + ": "
                    + body.substring(0, Math.min(300, body.length())));
        }
    }

    /** Per second of the measured run: pairs completed, request latency p50 / p99 / max, to find stalls. */
    private static void writeTimeline(Path file, long[] due, long[] start, long[] check, long[] pair) throws IOException {
        StringBuilder out = new StringBuilder("second pairs p50_ms p99_ms max_ms\n");
        if (due.length > 0) {
            long first = due[0];
            int seconds = (int) ((due[due.length - 1] - first) / 1_000_000_000L) + 1;
            for (int sec = 0; sec < seconds; sec++) {
                List<Long> values = new ArrayList<>();
                int pairs = 0;
                for (int i = 0; i < due.length; i++) {
                    if ((due[i] - first) / 1_000_000_000L == sec && pair[i] >= 0) {
                        pairs++;
                        values.add(start[i]);
                        values.add(check[i]);
                    }
                }
                long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
                out.append(String.format("%d %d %.1f %.1f %.1f%n", sec, pairs, percentile(sorted, 50) / 1e6,
                        percentile(sorted, 99) / 1e6, sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6));
            }
        }
        Files.writeString(file, out);
    }

    private static long[] completed(long[] values) {
        long[] done = Arrays.stream(values).filter(v -> v >= 0).toArray();
        Arrays.sort(done);
        return done;
    }

    private static void print(String name, long[] sorted) {
        for (double p : new double[] {50, 90, 99, 99.9}) {
            System.out.printf("BENCH %s_p%s_ms %.2f%n", name, p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p),
                    percentile(sorted, p) / 1e6);
        }
        System.out.printf("BENCH %s_max_ms %.2f%n", name, sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + n++, certificate);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static String require(Map<String, String> opts, String name) {
        String value = opts.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }
}
