import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDBC floor: the rate at which a database runs the statements of one start+check pair through its JDBC driver,
 * from N threads with a connection and prepared statements each, for a duration.
 * <ul>
 * <li>On the embedded H2 (bench/pair-h2.sql, which mirrors bench/pair.sql) it is to the server on H2 what pgbench
 * is to the server on PostgreSQL: H2 runs inside this process, so its CPU per pair is the database's and the
 * driver's together.
 * <li>On PostgreSQL (bench/pair-jdbc.sql, pair.sql's statements with bound parameters) it sends what pgbench sends,
 * through the server's own driver, pgjdbc: the difference between the two floors is the driver's and its protocol's,
 * and this process's CPU is the driver's alone.
 * </ul>
 *
 * <pre>
 * java -cp h2.jar bench/JdbcFloor.java --url 'jdbc:h2:file:…;MODE=PostgreSQL;…' [--threads 32] [--duration 30]
 *      [--warmup 10] [--app-id ID] [--fetch-permille 1000] [--statements bench/pair-h2.sql]
 * java -cp postgresql.jar bench/JdbcFloor.java --url jdbc:postgresql://127.0.0.1:5432/otpgate_bench --user postgres
 *      --app-id ID --statements bench/pair-jdbc.sql
 * </pre>
 *
 * Without --app-id it seeds an app and an API key of its own (the schema must exist: the server's Flyway
 * migrations made it). Prints a summary and "BENCH name value" lines for bench/run.sh and bench/run-h2.sh.
 */
public class JdbcFloor {

    /** One statement of a phase: its SQL with "?" for each parameter, and the parameters' names in order. */
    record Statement(String sql, List<String> params, boolean query, boolean poll, String text) {}

    /** One step of a phase: a statement, or a transaction boundary. */
    sealed interface Step permits Run, Begin, Commit {}
    record Run(Statement statement) implements Step {}
    record Begin() implements Step {}
    record Commit() implements Step {}

    static final Pattern RETURNING = Pattern.compile("(?i)\\sreturning\\s");

    static final Pattern PARAM = Pattern.compile("(?<![:\\w]):([a-z_]+)");

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = options(args);
        String url = opt.get("url");
        if (url == null) {
            throw new IllegalArgumentException("--url is required (a JDBC URL: the server's H2 file, or its PostgreSQL database)");
        }
        int threads = Integer.parseInt(opt.getOrDefault("threads", "32"));
        double duration = Double.parseDouble(opt.getOrDefault("duration", "30"));
        double warmup = Double.parseDouble(opt.getOrDefault("warmup", "10"));
        int fetchPermille = Integer.parseInt(opt.getOrDefault("fetch-permille", "1000"));
        String user = opt.getOrDefault("user", "sa");
        String password = opt.getOrDefault("password", "");
        Map<String, List<Step>> phases = parse(Path.of(opt.getOrDefault("statements", "bench/pair-h2.sql")));

        String appId;
        byte[] keyHash;
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            appId = opt.get("app-id");
            if (appId == null) {
                appId = "app_jdbcfloor_" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
                keyHash = seed(c, appId);
            } else {
                keyHash = keyHash(c, appId);
            }
        }
        byte[] taskData = random(400); // db-scheduler's task_data is about 400 bytes, as in run.sh

        System.err.printf("JdbcFloor: %d threads, %.0f s warm-up, %.0f s measured, %d polls per 1000 pairs, phases %s%n",
                threads, warmup, duration, fetchPermille, phases.keySet());
        LongAdder pairs = new LongAdder();
        LongAdder failed = new LongAdder();
        LongAdder latencyNanos = new LongAdder();
        AtomicLong firstError = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long measureTo = measureFrom + (long) (duration * 1e9);
        // The load goes on for a moment after the window, so that a caller measuring the database's processes
        // at "measured" still finds every connection open and busy.
        long stopAt = measureTo + 2_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        String app = appId;
        for (int t = 0; t < threads; t++) {
            Thread worker = Thread.ofPlatform().name("jdbcfloor-" + t).start(() -> {
                try (Connection c = DriverManager.getConnection(url, user, password)) {
                    Map<Statement, PreparedStatement> prepared = new HashMap<>();
                    for (List<Step> steps : phases.values()) {
                        for (Step step : steps) {
                            if (step instanceof Run(Statement s)) {
                                prepared.put(s, c.prepareStatement(s.sql()));
                            }
                        }
                    }
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= stopAt) {
                            break;
                        }
                        Map<String, Object> values = pairValues(random, app, keyHash, taskData);
                        int polls = fetchPermille / 1000 + (random.nextInt(1000) < fetchPermille % 1000 ? 1 : 0);
                        boolean ok = true;
                        try {
                            for (List<Step> steps : phases.values()) {
                                ok &= run(c, steps, prepared, values, polls);
                            }
                        } catch (SQLException e) {
                            ok = false;
                            if (firstError.compareAndSet(0, 1)) {
                                System.err.println("JdbcFloor: " + e);
                            }
                            if (!c.getAutoCommit()) {
                                c.rollback();
                            }
                            c.setAutoCommit(true);
                        }
                        long t1 = System.nanoTime();
                        if (t1 >= measureFrom && t1 < measureTo) {
                            (ok ? pairs : failed).increment();
                            latencyNanos.add(t1 - t0);
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            workers.add(worker);
        }
        while (System.nanoTime() < measureFrom) {
            Thread.sleep(10);
        }
        long cpu0 = processCpuNanos();
        long wall0 = System.nanoTime();
        System.err.println("JdbcFloor: measuring"); // run-h2.sh takes the machine's CPU between these two lines
        while (System.nanoTime() < measureTo) {
            Thread.sleep(10);
        }
        long cpu1 = processCpuNanos();
        long wall1 = System.nanoTime();
        System.err.println("JdbcFloor: measured");
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (wall1 - wall0) / 1e9;
        long n = pairs.sum();
        long done = n + failed.sum();
        System.out.printf("JDBC floor: %.1f pairs/s over %.1f s (%d pairs, %d failed), %.2f ms per pair, CPU %.2f ms per pair%n",
                n / seconds, seconds, n, failed.sum(), done == 0 ? 0 : latencyNanos.sum() / 1e6 / done,
                n == 0 ? 0 : (cpu1 - cpu0) / 1e6 / n);
        System.out.printf("BENCH duration_s %.3f%n", seconds);
        System.out.printf("BENCH pairs %d%n", n);
        System.out.printf("BENCH failed %d%n", failed.sum());
        System.out.printf("BENCH pairs_per_s %.1f%n", n / seconds);
        System.out.printf("BENCH latency_avg_ms %.3f%n", done == 0 ? 0 : latencyNanos.sum() / 1e6 / done);
        System.out.printf("BENCH cpu_ms_per_pair %.3f%n", n == 0 ? 0 : (cpu1 - cpu0) / 1e6 / n);
        System.out.printf("BENCH cpu_cores %.2f%n", (cpu1 - cpu0) / 1e9 / seconds);
        if (n == 0 || failed.sum() > 0) {
            System.exit(1);
        }
    }

    /** Runs one phase's steps; false if a statement that must change one row did not. */
    static boolean run(Connection c, List<Step> steps, Map<Statement, PreparedStatement> prepared,
            Map<String, Object> values, int polls) throws SQLException {
        boolean ok = true;
        for (Step step : steps) {
            switch (step) {
                case Begin b -> c.setAutoCommit(false);
                case Commit k -> {
                    c.commit();
                    c.setAutoCommit(true);
                }
                case Run(Statement s) -> {
                    PreparedStatement ps = prepared.get(s);
                    for (int i = 0; i < s.params().size(); i++) {
                        ps.setObject(i + 1, values.get(s.params().get(i)));
                    }
                    for (int repeat = s.poll() ? polls : 1; repeat > 0; repeat--) {
                        if (s.query()) {
                            int rows = 0;
                            try (ResultSet rs = ps.executeQuery()) {
                                int columns = rs.getMetaData().getColumnCount();
                                while (rs.next()) {
                                    for (int col = 1; col <= columns; col++) {
                                        rs.getObject(col);
                                    }
                                    rows++;
                                }
                            }
                            // The wrong guess ("final table (update …)" on H2, "update … returning" on PostgreSQL)
                            // must answer the row it changed.
                            ok &= !(s.text().contains("final table") || RETURNING.matcher(s.text()).find()) || rows == 1;
                        } else {
                            int rows = ps.executeUpdate();
                            // Inserts, the pick and the job's delete each change one row; the step update none.
                            ok &= rows == 1 || s.text().startsWith("update delivery_steps");
                        }
                    }
                }
            }
        }
        return ok;
    }

    /** The values one pair binds, the same sizes as the server's. */
    static Map<String, Object> pairValues(ThreadLocalRandom random, String appId, byte[] keyHash, byte[] taskData) {
        String id = "vrf_jdbcfloor_" + Long.toUnsignedString(random.nextLong(), 36);
        int phone = random.nextInt(100, 200);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Map<String, Object> v = new HashMap<>();
        v.put("key_hash", keyHash);
        v.put("app_id", appId);
        v.put("id", id);
        v.put("task", id + "-1");
        v.put("dest_ciphertext", bytes(random, 1 + 32 + 18));
        v.put("dest_index", bytes(random, 1 + 32 + 4));
        v.put("masked", "+1 415 ••• ••" + String.valueOf(phone).substring(1));
        v.put("code_hash", bytes(random, 1 + 32 + 4));
        v.put("task_data", taskData);
        v.put("recipient", "+14155550" + phone);
        v.put("body", "Bench: your verification code is 123456. It expires in 10 minutes.\nDo not share this code with anyone.");
        v.put("now", now);
        v.put("expires", now.plusSeconds(600));
        v.put("due", now.plusSeconds(5));
        return v;
    }

    /** The phases of the statements file, in file order (see the format at the top of pair-h2.sql). */
    static Map<String, List<Step>> parse(Path file) throws Exception {
        Map<String, List<Step>> phases = new LinkedHashMap<>();
        List<Step> current = null;
        boolean poll = false;
        StringBuilder sql = new StringBuilder();
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.startsWith("-- @phase ")) {
                current = new ArrayList<>();
                phases.put(line.substring("-- @phase ".length()).strip(), current);
                continue;
            }
            if (line.equals("-- @poll")) {
                poll = true;
                continue;
            }
            if (line.isEmpty() || line.startsWith("--")) {
                continue;
            }
            if (current == null) {
                throw new IllegalArgumentException(file + ": a statement before the first \"-- @phase\"");
            }
            sql.append(sql.isEmpty() ? "" : " ").append(line);
            if (!line.endsWith(";")) {
                continue;
            }
            String text = sql.substring(0, sql.length() - 1).strip();
            sql.setLength(0);
            if (text.equalsIgnoreCase("BEGIN")) {
                current.add(new Begin());
            } else if (text.equalsIgnoreCase("COMMIT")) {
                current.add(new Commit());
            } else {
                List<String> params = new ArrayList<>();
                Matcher m = PARAM.matcher(text);
                StringBuilder jdbc = new StringBuilder();
                while (m.find()) {
                    params.add(m.group(1));
                    m.appendReplacement(jdbc, "?");
                }
                m.appendTail(jdbc);
                current.add(new Run(new Statement(jdbc.toString(), params,
                        text.regionMatches(true, 0, "select", 0, 6) || RETURNING.matcher(text).find(), poll, text)));
                poll = false;
            }
        }
        if (!sql.isEmpty()) {
            throw new IllegalArgumentException(file + ": the last statement has no \";\"");
        }
        return phases;
    }

    /** An app and an API key of its own, for a database the server migrated but that has none to use. */
    static byte[] seed(Connection c, String appId) throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try (PreparedStatement app = c.prepareStatement("insert into apps (id, name, brand, code_length, "
                + "code_ttl_seconds, max_attempts, max_sends, resend_cooldown_seconds, allowed_channels, default_channel, "
                + "locale, created_at, updated_at) values (?, 'JdbcFloor', 'Bench', 6, 600, 5, 5, 30, 'sms', 'sms', 'en', ?, ?)");
                PreparedStatement key = c.prepareStatement("insert into api_keys (id, app_id, name, scopes, secret_hash, "
                        + "hint, created_at) values (?, ?, 'h2floor', 'verifications:start verifications:check', ?, 'h2fl', ?)")) {
            app.setString(1, appId);
            app.setObject(2, now);
            app.setObject(3, now);
            app.executeUpdate();
            byte[] hash = random(32);
            key.setString(1, "key_" + appId);
            key.setString(2, appId);
            key.setBytes(3, hash);
            key.setObject(4, now);
            key.executeUpdate();
            System.err.println("JdbcFloor: seeded app " + appId + " and an API key");
            return hash;
        }
    }

    static byte[] keyHash(Connection c, String appId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select secret_hash from api_keys where app_id = ? and revoked_at is null order by created_at limit 1")) {
            ps.setString(1, appId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalArgumentException("app " + appId + " has no API key");
                }
                return rs.getBytes(1);
            }
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static byte[] random(int n) {
        return bytes(ThreadLocalRandom.current(), n);
    }

    static byte[] bytes(ThreadLocalRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            opt.put(args[i].substring(2), args[++i]);
        }
        return opt;
    }
}
