import dev.otpgate.delivery.smpp.TestSmsc;
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * End to end through the otpgate server: runs the bench SMSC (jSMPP) in this process, waits for bench/smpp.sh
 * to start the server against it, then (1) saturates POST /v1/verifications and counts submit_sm per second
 * at the SMSC, (2) starts verifications open-loop at half that rate and measures, per verification, from its
 * HTTP 201 to the SMSC receiving its submit_sm (same process, same clock). Each start uses its own number.
 *
 * Usage: java -cp CP SmppE2e PORT_FILE KEY_FILE API_PORT CA_PEM SECONDS CONNECTIONS RUNS
 */
public class SmppE2e {

    static final Map<String, Long> submitted = new ConcurrentHashMap<>();
    static final AtomicLong submits = new AtomicLong();
    static final AtomicLong numbers = new AtomicLong(2_000_000);

    public static void main(String[] args) throws Exception {
        Path portFile = Path.of(args[0]);
        Path keyFile = Path.of(args[1]);
        int apiPort = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[4]);
        int connections = Integer.parseInt(args[5]);
        int runs = Integer.parseInt(args[6]);
        try (TestSmsc smsc = new TestSmsc()) {
            smsc.onSubmit = submit -> {
                submitted.put(submit.getDestAddress(), System.nanoTime());
                submits.incrementAndGet();
            };
            Files.writeString(portFile, Integer.toString(smsc.port()));
            while (!Files.exists(keyFile) || Files.size(keyFile) == 0) {
                Thread.sleep(200);
            }
            String key = Files.readString(keyFile).trim();
            HttpClient http = HttpClient.newBuilder().sslContext(trust(args[3])).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI uri = URI.create("https://localhost:" + apiPort + "/v1/verifications");

            saturate(http, uri, key, connections, 10); // warm-up
            double[] rates = new double[runs];
            for (int run = 0; run < runs; run++) {
                Thread.sleep(3000); // let queued deliveries drain
                rates[run] = saturate(http, uri, key, connections, seconds);
                System.out.printf("saturation run %d: %.0f submit_sm/s at the SMSC%n", run + 1, rates[run]);
            }
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            double median = sorted[sorted.length / 2];
            System.out.printf("SATURATION median %.0f verifications/s (submit_sm/s)%n", median);
            for (int run = 0; run < runs; run++) {
                Thread.sleep(3000);
                paced(http, uri, key, median / 2, seconds, run + 1);
            }
        }
    }

    static String nextNumber() {
        return "+1415" + numbers.incrementAndGet();
    }

    static HttpRequest start(URI uri, String key, String to) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"to\":\"" + to + "\"}")).build();
    }

    static double saturate(HttpClient http, URI uri, String key, int connections, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long before = submits.get();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread thread = Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    try {
                        HttpResponse<String> response = http.send(start(uri, key, nextNumber()),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 201) {
                            System.err.println("status " + response.statusCode() + ": " + response.body());
                            Thread.sleep(100);
                        }
                    } catch (Exception e) {
                        System.err.println(e);
                    }
                }
            });
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return (submits.get() - before) / ((System.nanoTime() - start) / 1e9);
    }

    static void paced(HttpClient http, URI uri, String key, double rate, int seconds, int run) throws Exception {
        int total = (int) (rate * seconds);
        long interval = (long) (1e9 / rate);
        Map<String, Long> committed = new ConcurrentHashMap<>();
        Map<String, Long> sent = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String to = nextNumber();
            sent.put(to.substring(1), System.nanoTime());
            pending.add(http.sendAsync(start(uri, key, to), HttpResponse.BodyHandlers.discarding())
                    .thenAccept(response -> {
                        if (response.statusCode() == 201) {
                            committed.put(to.substring(1), System.nanoTime());
                        }
                    }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        Thread.sleep(3000);
        List<Long> fromCommit = new ArrayList<>();
        List<Long> fromRequest = new ArrayList<>();
        int missing = 0;
        for (Map.Entry<String, Long> entry : committed.entrySet()) {
            Long at = submitted.get(entry.getKey());
            if (at == null) {
                missing++;
            } else {
                // Signed: negative when the submit_sm reached the SMSC before the 201 reached the client.
                fromCommit.add(at - entry.getValue());
                fromRequest.add(at - sent.get(entry.getKey()));
            }
        }
        long[] sorted = fromCommit.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] whole = fromRequest.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("LATENCY run %d at %.0f/s: n=%d (201s %d, no submit_sm within 3 s: %d)"
                        + " 201->submit_sm p50=%.1f ms p99=%.1f ms max=%.1f ms;"
                        + " request sent->submit_sm p50=%.1f ms p99=%.1f ms%n",
                run, rate, sorted.length, committed.size(), missing, pct(sorted, 0.5) / 1e6, pct(sorted, 0.99) / 1e6,
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, pct(whole, 0.5) / 1e6, pct(whole, 0.99) / 1e6);
    }

    static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    static SSLContext trust(String caPem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (FileInputStream in = new FileInputStream(caPem)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
