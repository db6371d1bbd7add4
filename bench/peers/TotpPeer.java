import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load generator for bench/peers/keycloak-totp.sh: right TOTP codes (RFC 6238, SHA1, 6 digits, 30 s) checked by
 * otpgate ({@code POST /v1/totp-factors/{id}/check}) or by Keycloak (a direct grant whose flow validates the
 * username and the OTP only), over plain HTTP/1.1 keep-alive connections spoken by hand (the JDK's HttpClient
 * costs more CPU per request than the servers under test on 2 cores).
 *
 * <p>Commands (run as a single-file program, {@code java TotpPeer.java COMMAND --option value …}):
 * <ul>
 *   <li>{@code keycloak-realm --users N --realm R --client C --out realm.json --users-file F}: a realm to import,
 *       N users, each with one TOTP credential whose seed (20 random bytes) is written to F as well;</li>
 *   <li>{@code otpgate-enrol --port P --key K --users N --users-file F [--connections C]}: enrols and activates N
 *       factors and writes their ids and seeds to F;</li>
 *   <li>{@code load --target otpgate|keycloak --port P --users-file F (--rate R | --closed) --duration S
 *       [--warmup S] [--connections C] [--key K] [--realm R --client C] [--server-pid PID] [--pg-db NAME]}: one
 *       measured phase; prints {@code BENCH name value} lines.</li>
 * </ul>
 *
 * <p>Replay: each user's code is used at most once per time step (both servers refuse a reused code); the step each
 * user was last used in is written back to the users file at the end of a phase, for the next one. Users are
 * taken round robin; one already used in the current step is skipped, and when every user has been used in this
 * step the request waits for the next step and counts as a {@code pool_wait}, so a pool too small for the rate
 * shows up in the output instead of as errors. A factor activated in step s is first checked in step s + 1.
 *
 * <p>Open loop ({@code --rate}): check i is due at t0 + i/rate and its latency counts from that due time, not from
 * when a connection got round to sending it (no coordinated omission). Closed loop ({@code --closed}): every
 * connection sends its next check as soon as the previous one answers; latency counts from the send (a wait for
 * the pool is not part of it, but it lowers the rate: see pool_waits).
 *
 * <p>CPU: with {@code --server-pid} and {@code --pg-db}, utime+stime of the server process and of the PostgreSQL
 * backends whose title names that database (/proc/PID/stat) are read at the start and the end of the measured
 * window, and divided by the checks approved in it (by the time their answer arrived).
 */
public class TotpPeer {

    private static final long STEP_MS = 30_000;
    private static final Pattern JSON_STRING = Pattern.compile("\"(id|secret)\"\\s*:\\s*\"([^\"]+)\"");

    record User(String name, String factorId, byte[] seed, long activatedStep) {}

    record Response(int status, String body, boolean close) {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: java TotpPeer.java keycloak-realm|otpgate-enrol|load --option value …");
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--closed")) {
                opts.put("closed", "true");
            } else if (i + 1 < args.length) {
                opts.put(args[i].replaceFirst("^--", ""), args[++i]);
            } else {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
        }
        switch (args[0]) {
            case "keycloak-realm" -> keycloakRealm(opts);
            case "otpgate-enrol" -> otpgateEnrol(opts);
            case "load" -> load(opts);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
        System.exit(0);
    }

    // ---- set-up ------------------------------------------------------------------------------------------------

    static void keycloakRealm(Map<String, String> opts) throws IOException {
        int users = Integer.parseInt(require(opts, "users"));
        String realm = require(opts, "realm");
        String client = require(opts, "client");
        SecureRandom random = new SecureRandom();
        try (BufferedWriter json = Files.newBufferedWriter(Path.of(require(opts, "out")));
                BufferedWriter list = Files.newBufferedWriter(Path.of(require(opts, "users-file")))) {
            json.write("{\"realm\":\"" + realm + "\",\"enabled\":true,\"sslRequired\":\"none\","
                    + "\"otpPolicyType\":\"totp\",\"otpPolicyAlgorithm\":\"HmacSHA1\",\"otpPolicyDigits\":6,"
                    + "\"otpPolicyPeriod\":30,\"otpPolicyLookAheadWindow\":1,\"otpPolicyCodeReusable\":false,"
                    + "\"bruteForceProtected\":false,\n");
            json.write("\"clients\":[{\"clientId\":\"" + client + "\",\"enabled\":true,\"publicClient\":true,"
                    + "\"directAccessGrantsEnabled\":true,\"standardFlowEnabled\":false,\"implicitFlowEnabled\":false,"
                    + "\"serviceAccountsEnabled\":false,\"attributes\":{\"use.refresh.tokens\":\"false\"}}],\n\"users\":[\n");
            for (int i = 0; i < users; i++) {
                byte[] seed = new byte[20];
                random.nextBytes(seed);
                String name = userName(i);
                String secret = base32(seed);
                json.write((i == 0 ? "" : ",\n") + "{\"username\":\"" + name + "\",\"enabled\":true,"
                        + "\"email\":\"" + name + "@bench.invalid\",\"emailVerified\":true,\"firstName\":\"Bench\","
                        + "\"lastName\":\"" + name + "\",\"credentials\":[{\"type\":\"otp\",\"userLabel\":\"bench\","
                        + "\"secretData\":\"{\\\"value\\\":\\\"" + secret + "\\\"}\","
                        + "\"credentialData\":\"{\\\"subType\\\":\\\"totp\\\",\\\"digits\\\":6,\\\"counter\\\":0,"
                        + "\\\"period\\\":30,\\\"algorithm\\\":\\\"HmacSHA1\\\",\\\"secretEncoding\\\":\\\"BASE32\\\"}\"}]}");
                list.write(name + " - " + secret + " -1\n");
            }
            json.write("\n]}\n");
        }
    }

    static void otpgateEnrol(Map<String, String> opts) throws Exception {
        int users = Integer.parseInt(require(opts, "users"));
        int port = Integer.parseInt(require(opts, "port"));
        String key = require(opts, "key");
        int connections = Integer.parseInt(opts.getOrDefault("connections", "8"));
        String[] lines = new String[users];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                Connection connection = null;
                for (int i = next.getAndIncrement(); i < users; i = next.getAndIncrement()) {
                    for (int attempt = 1; lines[i] == null; attempt++) {
                        try {
                            if (connection == null) {
                                connection = new Connection(port);
                            }
                            lines[i] = enrol(connection, key, userName(i));
                            if (connection.closed) {
                                connection = null;
                            }
                        } catch (IOException e) {
                            if (connection != null) {
                                connection.close();
                                connection = null;
                            }
                            if (attempt == 3 || failed.incrementAndGet() > 20) {
                                throw new IllegalStateException("enrolment of " + userName(i) + " failed: " + e.getMessage(), e);
                            }
                        }
                    }
                }
                if (connection != null) {
                    connection.close();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < users; i++) {
            if (lines[i] == null) {
                throw new IllegalStateException("user " + i + " was not enrolled");
            }
            out.append(lines[i]).append('\n');
        }
        Files.writeString(Path.of(require(opts, "users-file")), out);
    }

    /** Enrols one factor and activates it with the current code: "name id secret step-of-activation". */
    private static String enrol(Connection connection, String key, String name) throws IOException {
        Response enrolled = connection.postJson("/v1/totp-factors", key, "{\"account\":\"" + name + "\"}");
        String id = null;
        String secret = null;
        Matcher m = JSON_STRING.matcher(enrolled.body());
        while (m.find()) {
            if (m.group(1).equals("id") && id == null) {
                id = m.group(2);
            } else if (m.group(1).equals("secret")) {
                secret = m.group(2);
            }
        }
        if (enrolled.status() != 201 || id == null || secret == null) {
            throw new IOException("enrolment answered " + enrolled.status());
        }
        long step = System.currentTimeMillis() / STEP_MS;
        Response activated = connection.postJson("/v1/totp-factors/" + id + "/activate", key,
                "{\"code\":\"" + totp(base32Decode(secret), step) + "\"}");
        if (activated.status() != 200) {
            throw new IOException("activation answered " + activated.status() + " " + errorName(activated.body()));
        }
        if (activated.close()) {
            connection.close(); // the caller sees it and reconnects
        }
        // The server may have been a step further when it accepted the code: count that step as used too.
        return name + " " + id + " " + secret + " " + Math.max(step, System.currentTimeMillis() / STEP_MS);
    }

    // ---- load --------------------------------------------------------------------------------------------------

    /** Users taken round robin, each at most once per time step. */
    static final class Pool {
        private final List<User> users;
        private final AtomicLongArray lastStep;
        private final AtomicLong cursor = new AtomicLong();
        final LongAdder waits = new LongAdder();

        Pool(List<User> users) {
            this.users = users;
            lastStep = new AtomicLongArray(users.size());
            for (int i = 0; i < users.size(); i++) {
                lastStep.set(i, users.get(i).activatedStep());
            }
        }

        /** Writes the users back with the step each was last used in, for the next phase (another process). */
        void save(Path file) throws IOException {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < users.size(); i++) {
                User u = users.get(i);
                out.append(u.name()).append(' ').append(u.factorId()).append(' ').append(base32(u.seed())).append(' ')
                        .append(lastStep.get(i)).append('\n');
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, out);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }

        /** A user not yet used in the current step, and the code for that step; waits for the next step if none. */
        Object[] take() {
            while (true) {
                long step = System.currentTimeMillis() / STEP_MS;
                for (int tries = 0; tries < users.size(); tries++) {
                    int i = (int) (cursor.getAndIncrement() % users.size());
                    long last = lastStep.get(i);
                    if (last < step && lastStep.compareAndSet(i, last, step)) {
                        return new Object[] {users.get(i), totp(users.get(i).seed(), step)};
                    }
                }
                waits.increment();
                long wait = (step + 1) * STEP_MS - System.currentTimeMillis();
                if (wait > 0) {
                    LockSupport.parkNanos(wait * 1_000_000L);
                }
            }
        }
    }

    interface Target {
        Response check(Connection connection, User user, String code) throws IOException;

        boolean approved(Response response);
    }

    static void load(Map<String, String> opts) throws Exception {
        String target = require(opts, "target");
        int port = Integer.parseInt(require(opts, "port"));
        boolean closed = opts.containsKey("closed");
        double rate = closed ? 0 : Double.parseDouble(require(opts, "rate"));
        double duration = Double.parseDouble(opts.getOrDefault("duration", "30"));
        double warmup = Double.parseDouble(opts.getOrDefault("warmup", "5"));
        int connections = Integer.parseInt(opts.getOrDefault("connections", "32"));
        Target server = switch (target) {
            case "otpgate" -> {
                String key = require(opts, "key");
                yield new Target() {
                    public Response check(Connection c, User u, String code) throws IOException {
                        return c.postJson("/v1/totp-factors/" + u.factorId() + "/check", key, "{\"code\":\"" + code + "\"}");
                    }

                    public boolean approved(Response r) {
                        return r.status() == 200 && r.body().contains("\"approved\"");
                    }
                };
            }
            case "keycloak" -> {
                String path = "/realms/" + require(opts, "realm") + "/protocol/openid-connect/token";
                String client = URLEncoder.encode(require(opts, "client"), StandardCharsets.UTF_8);
                yield new Target() {
                    public Response check(Connection c, User u, String code) throws IOException {
                        return c.postForm(path, "grant_type=password&client_id=" + client + "&username="
                                + URLEncoder.encode(u.name(), StandardCharsets.UTF_8) + "&otp=" + code);
                    }

                    public boolean approved(Response r) {
                        return r.status() == 200 && r.body().contains("\"access_token\"");
                    }
                };
            }
            default -> throw new IllegalArgumentException("--target otpgate or keycloak");
        };
        Path usersFile = Path.of(require(opts, "users-file"));
        Pool pool = new Pool(readUsers(usersFile));
        Cpu cpu = new Cpu(opts.get("server-pid"), opts.get("pg-db"));

        long warmupNs = (long) (warmup * 1e9);
        long durationNs = (long) (duration * 1e9);
        long t0 = System.nanoTime() + 200_000_000L;
        long measureFrom = t0 + warmupNs;
        long measureTo = measureFrom + durationNs;
        // Latencies of checks due (open loop) or sent (closed loop) inside the measured window.
        long[][] latencies = new long[connections][];
        int[] counts = new int[connections];
        Map<String, LongAdder> unexpected = new ConcurrentHashMap<>();
        LongAdder failures = new LongAdder();
        LongAdder reconnects = new LongAdder();
        LongAdder answered = new LongAdder();
        LongAdder inWindow = new LongAdder(); // approvals whose answer arrived inside the measured window
        AtomicLong scheduled = new AtomicLong();
        AtomicLong maxLag = new AtomicLong();
        LinkedBlockingQueue<Long> queue = new LinkedBlockingQueue<>();
        long stop = Long.MIN_VALUE;
        long[] window = new long[2];
        Cpu.Sample[] samples = new Cpu.Sample[2];

        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int me = c;
            latencies[c] = new long[1024];
            workers.add(Thread.ofPlatform().daemon().name("conn-" + c).start(() -> {
                Connection connection = null;
                while (true) {
                    long due;
                    if (closed) {
                        due = System.nanoTime();
                        if (due >= measureTo) {
                            break;
                        }
                    } else {
                        try {
                            due = queue.take();
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (due == stop) {
                            break;
                        }
                    }
                    Object[] taken = pool.take();
                    User user = (User) taken[0];
                    if (closed) {
                        due = System.nanoTime(); // a wait for the pool is the client's, not the server's
                        if (due >= measureTo) {
                            break;
                        }
                    }
                    try {
                        if (connection == null) {
                            connection = new Connection(port);
                        }
                        Response response = server.check(connection, user, (String) taken[1]);
                        long done = System.nanoTime();
                        answered.increment();
                        if (response.close()) {
                            connection.close();
                            connection = null;
                            reconnects.increment();
                        }
                        if (!server.approved(response)) {
                            String what = response.status() + " " + errorName(response.body());
                            if (unexpected.computeIfAbsent(what, k -> new LongAdder()).sum() < 2) {
                                System.err.println("unexpected answer for " + user.name() + ": " + response.status() + " "
                                        + response.body().substring(0, Math.min(200, response.body().length())));
                            }
                            unexpected.get(what).increment();
                            continue;
                        }
                        if (done >= measureFrom && done < measureTo) {
                            inWindow.increment();
                        }
                        if (due >= measureFrom && due < measureTo) {
                            if (counts[me] == latencies[me].length) {
                                latencies[me] = Arrays.copyOf(latencies[me], counts[me] * 2);
                            }
                            latencies[me][counts[me]++] = done - due;
                        }
                    } catch (IOException e) {
                        answered.increment();
                        failures.increment();
                        if (failures.sum() <= 3) {
                            System.err.println("request failed: " + e);
                        }
                        if (connection != null) {
                            connection.close();
                            connection = null;
                        }
                    }
                }
                if (connection != null) {
                    connection.close();
                }
            }));
        }

        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            LockSupport.parkNanos(measureFrom - System.nanoTime());
            samples[0] = cpu.sample();
            window[0] = System.nanoTime();
            LockSupport.parkNanos(measureTo - System.nanoTime());
            samples[1] = cpu.sample();
            window[1] = System.nanoTime();
        });

        if (!closed) {
            long period = (long) (1e9 / rate);
            long total = (warmupNs + durationNs) / period;
            for (long i = 0; i < total; i++) {
                long at = t0 + i * period;
                long wait;
                while ((wait = at - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                maxLag.accumulateAndGet(System.nanoTime() - at, Math::max);
                queue.add(at);
                scheduled.incrementAndGet();
            }
        }
        sampler.join();
        // Open loop: give what is still queued up to 30 s to finish (it counts, with its latency from the due time).
        long deadline = System.nanoTime() + 30_000_000_000L;
        if (!closed) {
            while (!queue.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            for (int c = 0; c < connections; c++) {
                queue.add(stop);
            }
        }
        for (Thread worker : workers) {
            worker.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        long unfinished = scheduled.get() - answered.sum();

        pool.save(usersFile);
        int n = 0;
        for (int c = 0; c < connections; c++) {
            n += counts[c];
        }
        long[] all = new long[n];
        for (int c = 0, at = 0; c < connections; c++) {
            System.arraycopy(latencies[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        double seconds = (window[1] - window[0]) / 1e9;
        long errors = unexpected.values().stream().mapToLong(LongAdder::sum).sum();
        System.out.printf("BENCH mode %s%n", closed ? "closed" : "open");
        System.out.printf("BENCH connections %d%n", connections);
        if (!closed) {
            System.out.printf("BENCH target_per_s %.1f%n", rate);
            System.out.printf("BENCH max_send_lag_ms %.2f%n", maxLag.get() / 1e6);
            System.out.printf("BENCH unfinished %d%n", Math.max(0, unfinished));
        }
        System.out.printf("BENCH window_s %.3f%n", seconds);
        // Rate and CPU per check count the approvals answered inside the CPU window; latency percentiles are those of
        // the checks due (open loop) or sent (closed loop) inside it. The two differ when a server falls behind.
        long approved = inWindow.sum();
        System.out.printf("BENCH checks %d%n", approved);
        System.out.printf("BENCH checks_per_s %.1f%n", approved / seconds);
        System.out.printf("BENCH latency_samples %d%n", n);
        System.out.printf("BENCH unexpected %d%n", errors);
        unexpected.forEach((what, count) -> System.out.printf("BENCH unexpected_detail %s:%d%n",
                what.replace(' ', '_'), count.sum()));
        System.out.printf("BENCH failed_requests %d%n", failures.sum());
        System.out.printf("BENCH reconnects %d%n", reconnects.sum());
        System.out.printf("BENCH pool_waits %d%n", pool.waits.sum());
        System.out.printf("BENCH users %d%n", pool.users.size());
        for (double p : new double[] {50, 99, 99.9}) {
            System.out.printf("BENCH latency_p%s_ms %.2f%n", p == 99.9 ? "99.9" : String.valueOf((int) p), percentile(all, p) / 1e6);
        }
        System.out.printf("BENCH latency_max_ms %.2f%n", all.length == 0 ? Double.NaN : all[all.length - 1] / 1e6);
        if (samples[0] != null && samples[1] != null && approved > 0) {
            cpu.report(samples[0], samples[1], approved, seconds);
        }
    }

    private static String errorName(String body) {
        Matcher m = Pattern.compile("\"(?:error|type|code)\"\\s*:\\s*\"([^\"]{1,80})\"").matcher(body);
        return m.find() ? m.group(1).replaceAll("[^A-Za-z0-9_:/.-]", "_") : "-";
    }

    static List<User> readUsers(Path file) throws IOException {
        List<User> users = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            users.add(new User(f[0], f[1], base32Decode(f[2]), Long.parseLong(f[3])));
        }
        if (users.isEmpty()) {
            throw new IllegalStateException("no users in " + file);
        }
        return users;
    }

    // ---- CPU from /proc ----------------------------------------------------------------------------------------

    static final class Cpu {
        record Sample(long machineBusy, long machineIdle, long server, long pg, long self) {}

        private final String serverPid;
        private final String db;
        private final Map<String, Long> pgStart = new TreeMap<>();

        Cpu(String serverPid, String db) {
            this.serverPid = serverPid;
            this.db = db;
        }

        Sample sample() {
            long busy = 0;
            long idle = 0;
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                // user nice system idle iowait irq softirq steal
                busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                        + Long.parseLong(f[7]) + Long.parseLong(f[8]);
                idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            } catch (IOException | RuntimeException e) {
                // no machine figures then
            }
            long pg = 0;
            if (db != null) {
                try (var procs = Files.list(Path.of("/proc"))) {
                    for (Path p : (Iterable<Path>) procs::iterator) {
                        String name = p.getFileName().toString();
                        if (!name.chars().allMatch(Character::isDigit)) {
                            continue;
                        }
                        try {
                            String title = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                                    .replace('\0', ' ');
                            if (title.startsWith("postgres: ") && title.contains(" " + db + " ")) {
                                pg += ticks(p.resolve("stat"));
                            }
                        } catch (IOException | RuntimeException e) {
                            // the backend ended meanwhile
                        }
                    }
                } catch (IOException e) {
                    // no /proc
                }
            }
            long server = 0;
            if (serverPid != null) {
                try {
                    server = ticks(Path.of("/proc", serverPid, "stat"));
                } catch (IOException | RuntimeException e) {
                    server = -1;
                }
            }
            long self;
            try {
                self = ticks(Path.of("/proc/self/stat"));
            } catch (IOException | RuntimeException e) {
                self = 0;
            }
            return new Sample(busy, idle, server, pg, self);
        }

        private static long ticks(Path stat) throws IOException {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        }

        void report(Sample a, Sample b, long checks, double seconds) {
            double tick = 1000.0 / 100; // ms per clock tick (USER_HZ is 100 on Linux)
            long total = (b.machineBusy() - a.machineBusy()) + (b.machineIdle() - a.machineIdle());
            long server = b.server() - a.server();
            long pg = b.pg() - a.pg();
            long self = b.self() - a.self();
            long other = Math.max(0, b.machineBusy() - a.machineBusy() - server - pg - self);
            System.out.printf("BENCH cpu_server_ms_per_check %.3f%n", server * tick / checks);
            System.out.printf("BENCH cpu_pg_ms_per_check %.3f%n", pg * tick / checks);
            System.out.printf("BENCH cpu_client_ms_per_check %.3f%n", self * tick / checks);
            System.out.printf("BENCH checks_per_server_cpu_s %.1f%n", server == 0 ? Double.NaN : checks / (server * tick / 1000));
            System.out.printf("BENCH checks_per_server_pg_cpu_s %.1f%n", server + pg == 0 ? Double.NaN
                    : checks / ((server + pg) * tick / 1000));
            if (total > 0) {
                System.out.printf("BENCH share_server_pct %.0f%n", 100.0 * server / total);
                System.out.printf("BENCH share_pg_pct %.0f%n", 100.0 * pg / total);
                System.out.printf("BENCH share_client_pct %.0f%n", 100.0 * self / total);
                System.out.printf("BENCH share_other_pct %.0f%n", 100.0 * other / total);
                System.out.printf("BENCH share_idle_pct %.0f%n", 100.0 * (b.machineIdle() - a.machineIdle()) / total);
            }
        }
    }

    // ---- HTTP/1.1 over a plain socket --------------------------------------------------------------------------

    static final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        boolean closed;

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16384);
        }

        Response postJson(String path, String key, String json) throws IOException {
            return post(path, "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n", json);
        }

        Response postForm(String path, String form) throws IOException {
            return post(path, "Content-Type: application/x-www-form-urlencoded\r\n", form);
        }

        private Response post(String path, String headers, String text) throws IOException {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Content-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] request = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, request, head.length, body.length);
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
            closed = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // ---- TOTP (RFC 6238) and base32 (RFC 4648) -----------------------------------------------------------------

    private static final ThreadLocal<Mac> SHA1 = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA1");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    });

    static String totp(byte[] seed, long step) {
        try {
            Mac mac = SHA1.get();
            mac.init(new SecretKeySpec(seed, "HmacSHA1"));
            byte[] h = mac.doFinal(new byte[] {(byte) (step >>> 56), (byte) (step >>> 48), (byte) (step >>> 40),
                (byte) (step >>> 32), (byte) (step >>> 24), (byte) (step >>> 16), (byte) (step >>> 8), (byte) step});
            int o = h[h.length - 1] & 0xf;
            int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
            return String.format("%06d", bin % 1_000_000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    static String base32(byte[] data) {
        StringBuilder s = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                s.append(B32.charAt((buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            s.append(B32.charAt((buffer << (5 - bits)) & 31));
        }
        return s.toString();
    }

    static byte[] base32Decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : text.toUpperCase().toCharArray()) {
            if (c == '=') {
                break;
            }
            int v = B32.indexOf(c);
            if (v < 0) {
                throw new IllegalArgumentException("not base32");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >>> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    static String userName(int i) {
        return String.format("user-%06d", i);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String require(Map<String, String> opts, String name) {
        String value = opts.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }
}
