package dev.otpgate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.access.ApiKeySecrets;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.support.ApiClient;
import dev.otpgate.support.RawHttps;
import dev.otpgate.support.RawHttps.Answer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fuzzer driven by the OpenAPI document the server itself serves: every operation gets hostile requests
 * (wrong types, huge and empty strings, deep nesting, unicode and control characters, broken percent- and
 * UTF-8 encodings, extra and duplicate fields, odd methods, headers, content types and framing), sent byte for
 * byte over TLS. It fails on any 5xx, any 4xx that is not a problem (S-47), any answer slower than 5 s, and on
 * a key, phone number or email it sent that shows up in the log or an answer afterwards (S-45).
 *
 * <p>Seeded and replayable: the build runs one fixed seed, and prints it; {@code -Dotpgate.fuzz.seed=<seed>} replays
 * a run, {@code -Dotpgate.fuzz.seed=random} draws a new one, and
 * {@code -Dotpgate.fuzz.requests=<n>} changes its length. Request {@code i} depends on the seed and {@code i}
 * only, not on the order in which the threads send them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.port=0", "management.server.port=0", "logging.level.dev.otpgate=DEBUG",
        // The shipped levels for the framework, whatever an earlier test of this JVM set: at DEBUG, Spring MVC and
        // Spring Security log request lines with their query strings, which operations.md warns about.
        "logging.level.org.springframework.web=INFO", "logging.level.org.springframework.security=INFO",
        "db-scheduler.polling-interval=1s"})
@ExtendWith(OutputCaptureExtension.class)
class ApiFuzzTests {

    private static final String ADMIN_KEY = ApiKeySecrets.generate();
    private static final long BUILD_SEED = -7011550633466598777L;
    private static final Duration SLOW = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Fictional numbers (555-01xx) and reserved-domain emails, so that a hit can only come from this test. */
    private static final List<String> PHONES = List.of("+12125550161", "+13125550162", "+14155550163", "+16175550164");
    private static final List<String> EMAILS = List.of("fuzz.canary.one@example.com", "fuzz.canary.two@example.org");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        String dataDir = Files.createTempDirectory("otpgate-fuzz-").toString();
        registry.add("otpgate.data-dir", () -> dataDir);
        registry.add("otpgate.bootstrap-admin-key", () -> ADMIN_KEY);
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:fuzz;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
    }

    @LocalServerPort
    int port;

    @Autowired
    OtpgateProperties properties;

    private String appKey;
    private Map<String, List<String>> realIds;
    private JsonNode schemas;

    record Operation(String method, String path, List<JsonNode> parameters, JsonNode bodySchema) {}

    record Sent(int index, Operation operation, String target, byte[] request) {}

    @Test
    void everyOperationWhenFedHostileRequestsThenAnswersA4xxProblemOrSuccessInTimeAndLeaksNothing_S45_S47(
            CapturedOutput output) throws Exception {
        // One fixed seed in the build, so a red build can be replayed and a green one stays green; pass
        // -Dotpgate.fuzz.seed=random (or any number) to explore further.
        String given = System.getProperty("otpgate.fuzz.seed", String.valueOf(BUILD_SEED));
        long seed = given.equals("random") ? new SecureRandom().nextLong() : Long.parseLong(given);
        int count = Integer.getInteger("otpgate.fuzz.requests", 3000);
        System.out.println("ApiFuzzTests seed " + seed + " (replay: -Dotpgate.fuzz.seed=" + seed + "), " + count + " requests");

        ApiClient api = new ApiClient("https://localhost:" + port, properties.dataDir().resolve("tls/ca.pem"));
        String appId = api.post("/v1/apps", ADMIN_KEY, Map.of("name", "Fuzz", "resend_cooldown_seconds", 0,
                "allowed_channels", List.of("sms", "voice", "email"))).text("id");
        ApiClient.Response key = api.post("/v1/apps/" + appId + "/api-keys", ADMIN_KEY, Map.of("name", "fuzz"));
        appKey = key.text("secret");
        String verificationId = api.post("/v1/verifications", appKey, Map.of("to", PHONES.getFirst())).text("id");
        realIds = Map.of("app_id", List.of(appId), "key_id", List.of(key.text("id")), "id", List.of(verificationId));

        JsonNode document = JSON.readTree(api.get("/v1/openapi.json", null).body());
        schemas = document.path("components").path("schemas");
        List<Operation> operations = operations(document);
        assertThat(operations).as("operations in the served OpenAPI document").hasSizeGreaterThan(20);

        RawHttps raw = new RawHttps(properties.dataDir().resolve("tls/ca.pem"), "localhost", port, SLOW);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger closedWhileSending = new java.util.concurrent.atomic.AtomicInteger();
        long started = System.nanoTime();
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            IntStream.range(0, count).forEach(i -> threads.submit(() -> {
                Sent sent = generate(seed, i, operations);
                try {
                    Answer answer = raw.send(sent.request());
                    if (!sent.target().startsWith("/v1/dev/messages")) {
                        // The dev inbox shows destinations by design (embedded mode only).
                        bodies.add(answer.body());
                    }
                    String problem = judge(answer, sent.request()[0] == 'H');
                    if (problem != null) {
                        failures.add(describe(sent, problem + ": " + answer.status() + " " + answer.contentType() + " "
                                + abbreviate(answer.body(), 300)));
                    }
                } catch (RawHttps.ClosedWhileSendingException e) {
                    // Tomcat refused the request line and closed while its body was still on the way; the reset
                    // that follows can destroy the answer before it is read. Counted, not judged.
                    closedWhileSending.incrementAndGet();
                } catch (IOException e) {
                    failures.add(describe(sent, "no answer within " + SLOW.toSeconds() + " s (" + e.getClass().getSimpleName() + ")"));
                }
            }));
            threads.shutdown();
            assertThat(threads.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.println("ApiFuzzTests sent " + count + " requests in " + took.toMillis() + " ms; "
                + closedWhileSending.get() + " closed by the server before they were fully sent");
        assertThat(closedWhileSending.get()).as("requests the server closed on before they were sent").isLessThan(count / 50);
        // Deliveries of the starts it made run as jobs: let them log before the output is searched.
        Thread.sleep(2_000);

        assertThat(failures).as("seed %d: %d of %d requests failed, first ones:%n%s", seed, failures.size(), count,
                String.join("\n", failures.stream().limit(25).toList())).isEmpty();
        String logs = output.getAll().lines()
                // The dev inbox shows destinations and codes in full by design (embedded mode only), also in the
                // framework's debug line of its answer, as SecretsStayOutOfOutputTests excludes them.
                .filter(line -> !line.contains("/v1/dev/messages") && !line.contains("Writing [{messages="))
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(logs).as("control: the server's log was captured").contains("Started ApiFuzzTests");
        String everything = logs + "\n" + String.join("\n", bodies);
        List<String> secrets = new ArrayList<>(List.of(ADMIN_KEY, appKey));
        for (String phone : PHONES) {
            secrets.addAll(List.of(phone, phone.substring(1), phone.substring(2)));
        }
        secrets.addAll(EMAILS);
        for (String secret : secrets) {
            assertThat(everything).as("seed %d: the log or an answer holds a key, number or email that was sent", seed)
                    .doesNotContain(secret);
        }
    }

    /** Null when the answer is acceptable, else what is wrong with it. */
    private static String judge(Answer answer, boolean head) {
        if (answer.took().compareTo(SLOW) > 0) {
            return "slower than " + SLOW.toSeconds() + " s";
        }
        if (answer.status() >= 500) {
            return "a server error";
        }
        if (answer.status() >= 400 && !"application/problem+json".equals(answer.contentType())) {
            return "a 4xx that is not a problem document";
        }
        if (answer.status() >= 400 && !head && !answer.body().contains("\"status\":" + answer.status())) {
            return "a problem without its status";
        }
        if (answer.header("X-Content-Type-Options") == null || answer.header("Cache-Control") == null
                || !answer.header("Cache-Control").contains("no-store")) {
            return "an answer without the security headers";
        }
        return null;
    }

    private String describe(Sent sent, String problem) {
        String request = new String(sent.request(), StandardCharsets.ISO_8859_1)
                .replace(ADMIN_KEY, "<admin key>").replace(appKey, "<app key>");
        return "#" + sent.index() + " " + sent.operation().method() + " " + sent.operation().path() + ": " + problem
                + "\n    request: " + abbreviate(escape(request), 400);
    }

    // --- reading the OpenAPI document ---

    private List<Operation> operations(JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                JsonNode operation = method.getValue();
                List<JsonNode> parameters = new ArrayList<>();
                operation.path("parameters").forEach(parameters::add);
                JsonNode body = operation.path("requestBody").path("content").path("application/json").path("schema");
                operations.add(new Operation(method.getKey().toUpperCase(java.util.Locale.ROOT), path.getKey(), parameters,
                        body.isMissingNode() ? null : resolve(body)));
            }
        }
        return operations;
    }

    private JsonNode resolve(JsonNode schema) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asString().substring("#/components/schemas/".length());
            return schemas.path(name);
        }
        return schema;
    }

    // --- generating one request ---

    private Sent generate(long seed, int index, List<Operation> operations) {
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1)));
        Operation operation = operations.get(random.nextInt(operations.size()));
        String method = operation.method();
        if (random.nextInt(20) == 0) {
            method = pick(random, List.of("HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", "FOO", "get", "TRACE", "CONNECT"));
        }

        String target = operation.path();
        StringBuilder query = new StringBuilder();
        List<String> headers = new ArrayList<>();
        for (JsonNode parameter : operation.parameters()) {
            String name = parameter.path("name").asString();
            String type = parameter.path("schema").path("type").asString("string");
            switch (parameter.path("in").asString()) {
                case "path" -> target = target.replace("{" + name + "}", pathValue(random, name, operation.method()));
                case "query" -> {
                    if (random.nextInt(4) != 0) {
                        appendQuery(query, name, queryValue(random, name, type, operation.path()));
                    }
                    if (random.nextInt(10) == 0) {
                        appendQuery(query, name, queryValue(random, name, type, operation.path()));
                    }
                }
                case "header" -> {
                    if (random.nextInt(2) == 0) {
                        headers.add(name + ": " + headerValue(random));
                    }
                }
                default -> { }
            }
        }
        if (random.nextInt(8) == 0) {
            appendQuery(query, pick(random, List.of("api_key", "token", "x", "to", "%zz", "a[b]", "")),
                    pick(random, List.of(appKey, "%ff", "|", PHONES.get(1), "1", "")));
        }
        if (!query.isEmpty()) {
            target += "?" + query;
        }

        headers.addAll(authorization(random));
        byte[] body = null;
        if (operation.bodySchema() != null || random.nextInt(6) == 0) {
            body = body(random, operation.bodySchema());
            headers.add(contentType(random));
        }
        if (random.nextInt(4) == 0) {
            headers.add(oddHeader(random));
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
        for (String header : headers) {
            head += header + "\r\n";
        }
        boolean chunked = body != null && random.nextInt(8) == 0;
        if (body != null && !chunked) {
            head += "Content-Length: " + body.length + "\r\n";
        } else if (chunked) {
            head += "Transfer-Encoding: chunked\r\n";
        }
        out.writeBytes((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        if (chunked) {
            out.writeBytes(chunks(random, body));
        } else if (body != null) {
            out.writeBytes(body);
        }
        return new Sent(index, operation, target, out.toByteArray());
    }

    private String pathValue(SplittableRandom random, String name, String method) {
        List<String> real = realIds.getOrDefault(name, List.of());
        // Real ids make requests reach deeper; never for DELETE, which would take the fuzzer's own app or key away.
        if (!real.isEmpty() && !method.equals("DELETE") && random.nextInt(3) == 0) {
            return pick(random, real);
        }
        return switch (random.nextInt(6)) {
            case 0 -> pick(random, List.of("vrf_", "app_", "key_", "tf_", "blk_")) + alphanumeric(random, 26);
            case 1 -> encode(hostileString(random));
            case 2 -> pick(random, List.of("%zz", "%ff", "%", "%c0%af", "%e2%80%ae", "..", "%2e%2e", ";x=1", "a%20b", "~", "*"));
            case 3 -> "a".repeat(1 + random.nextInt(3000));
            case 4 -> pick(random, List.of("twilio", "vonage", "whatsapp", "smpp", "http", "dev"));
            default -> alphanumeric(random, 1 + random.nextInt(40));
        };
    }

    private String queryValue(SplittableRandom random, String name, String type, String path) {
        if (name.equals("to") && random.nextInt(2) == 0) {
            String destination = random.nextBoolean() ? pick(random, PHONES) : pick(random, EMAILS);
            return random.nextBoolean() ? encode(destination) : encode(destination) + pick(random, List.of("%ff", "%", "%zz", "%c3"));
        }
        if (name.equals("account") && random.nextInt(2) == 0) {
            return encode(pick(random, EMAILS)) + pick(random, List.of("%ff", "%", "%zz", ""));
        }
        return switch (random.nextInt(7)) {
            case 0 -> type.equals("integer") ? Integer.toString(random.nextInt(200)) : alphanumeric(random, 8);
            case 1 -> pick(random, List.of("-1", "0", "99999999999999999999", "1.5", "1e3", "true", "", "null", "0x10"));
            case 2 -> pick(random, List.of("%zz", "%ff", "%", "%00", "%2f", "%c0%af", "%ed%a0%80", "1%"));
            case 3 -> encode(hostileString(random));
            case 4 -> "a".repeat(1 + random.nextInt(6000));
            case 5 -> encode(hostileString(random)) + "%" + pick(random, List.of("f", "g1", ""));
            default -> encode(alphanumeric(random, 3));
        };
    }

    private String headerValue(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> alphanumeric(random, 1 + random.nextInt(60));
            case 1 -> "order-" + alphanumeric(random, 6) + (char) (0x80 + random.nextInt(0x20));
            case 2 -> new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            case 3 -> "a".repeat(200 + random.nextInt(400));
            case 4 -> "";
            default -> "key " + (char) 0x7f;
        };
    }

    private List<String> authorization(SplittableRandom random) {
        return switch (random.nextInt(12)) {
            case 0, 1, 2, 3, 4 -> List.of("Authorization: Bearer " + appKey);
            case 5, 6 -> List.of("Authorization: Bearer " + ADMIN_KEY);
            case 7 -> List.of();
            case 8 -> List.of("Authorization: Bearer " + pick(random, List.of(appKey, ADMIN_KEY))
                    + (char) (int) pick(random, List.of(0x01, 0x7f, 0x85, 0x9f, 0x1b)));
            case 9 -> List.of("Authorization: " + pick(random, List.of("Basic " + appKey, "bearer " + appKey, "Bearer",
                    "Bearer " + appKey.substring(0, appKey.length() - 1), "Bearer " + appKey + "x", "Bearer  " + appKey + " ",
                    "Bearer otpg_" + "A".repeat(3000), "Bearer " + new String("ключ".getBytes(StandardCharsets.UTF_8),
                            StandardCharsets.ISO_8859_1))));
            case 10 -> List.of("Authorization: Bearer " + appKey, "Authorization: Bearer " + ADMIN_KEY);
            default -> List.of("Authorization: Bearer " + appKey, "X-Api-Key: " + appKey);
        };
    }

    private static String contentType(SplittableRandom random) {
        if (random.nextInt(3) != 0) {
            return "Content-Type: application/json";
        }
        return "Content-Type: " + pick(random, List.of("*/*", "application/*", "text/plain", "application/json; charset=latin1",
                "application/json; charset=bogus", "application/json; charset=utf-16", ";;", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/merge-patch+json", "application/xml", "application/json;;",
                "application/json; q=\"", "APPLICATION/JSON", "application/json, text/plain", "", "\u0085"));
    }

    private static String oddHeader(SplittableRandom random) {
        return pick(random, List.of("Accept: application/xml", "Accept: ;;", "Accept: text/html", "Accept: */*;q=x",
                "Accept: application/problem+json", "Accept-Charset: bogus", "Accept-Encoding: gzip;q=2", "Expect: 100-continue",
                "Expect: nonsense", "X-Forwarded-For: not-an-address", "X-Forwarded-For: 203.0.113.7, ::1", "Range: bytes=0-1",
                "Cookie: session=\u0085x", "Cookie: a", "Content-Encoding: gzip", "Origin: null", "X-HTTP-Method-Override: DELETE",
                "If-None-Match: *", "Content-Length: 0", "Transfer-Encoding: gzip", "X-Long: " + "z".repeat(9000),
                "Upgrade: h2c", "Forwarded: for=\"[::1]\"", "X-Ctl: a\u0001b", "Bad Header: x", "X-Empty:"));
    }

    // --- bodies ---

    private byte[] body(SplittableRandom random, JsonNode schema) {
        int kind = random.nextInt(14);
        String json = switch (kind) {
            case 0 -> pick(random, List.of("", "[]", "\"x\"", "1", "null", "true", "{", "}", "{}}", "[{}]", "{\"a\":}", "\uFEFF{}",
                    "{'to':'x'}", "{\"to\":NaN}", "{/*c*/}", "{\"a\":1,}"));
            case 1 -> "[".repeat(2000 + random.nextInt(20_000));
            case 2 -> "{\"a\":".repeat(1000 + random.nextInt(3000)) + "1" + "}".repeat(10);
            case 3 -> "{\"name\":\"" + "x".repeat(10_000 + random.nextInt(90_000)) + "\"}";
            default -> null;
        };
        if (json != null) {
            return json.getBytes(StandardCharsets.UTF_8);
        }
        StringBuilder object = new StringBuilder("{");
        List<String> members = new ArrayList<>();
        JsonNode properties = schema == null ? JSON.createObjectNode() : schema.path("properties");
        for (Map.Entry<String, JsonNode> property : properties.properties()) {
            if (random.nextInt(4) != 0) {
                members.add(quote(property.getKey()) + ":" + value(random, property.getKey(), resolve(property.getValue()), 0, true));
            }
        }
        if (kind == 4 && !members.isEmpty()) {
            members.add(members.get(random.nextInt(members.size())));
        }
        if (kind == 5) {
            members.add(quote(pick(random, List.of("status", "app_id", "expires_at", "id", "code_hash", "unknown", "", "\u0000"))) + ":1");
        }
        object.append(String.join(",", members)).append("}");
        byte[] bytes = object.toString().getBytes(StandardCharsets.UTF_8);
        if (kind == 6 && bytes.length > 2) {
            // Broken UTF-8 inside the document: a lone continuation, an overlong slash, a truncated sequence.
            byte[] bad = pick(random, List.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0xc0, (byte) 0xaf},
                    new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}));
            int at = 1 + random.nextInt(bytes.length - 1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(bytes, 0, at);
            out.writeBytes(bad);
            out.write(bytes, at, bytes.length - at);
            return out.toByteArray();
        }
        if (kind == 7 && bytes.length > 2) {
            return java.util.Arrays.copyOf(bytes, 1 + random.nextInt(bytes.length - 1));
        }
        return bytes;
    }

    private String value(SplittableRandom random, String name, JsonNode schema, int depth, boolean top) {
        if (top && name.equals("to") && random.nextInt(3) != 0) {
            String destination = random.nextBoolean() ? pick(random, PHONES) : pick(random, EMAILS);
            return quote(random.nextInt(4) == 0 ? destination + hostileString(random) : destination);
        }
        if (random.nextInt(4) == 0) {
            return wrongValue(random);
        }
        String type = schema.path("type").asString(schema.has("properties") ? "object" : "string");
        return switch (type) {
            case "integer" -> pick(random, List.of("0", "1", "6", "30", "-1", "2147483648", "99999999999999999999", "1.0", "1e400", "-0"));
            case "boolean" -> random.nextBoolean() ? "true" : "false";
            case "array" -> {
                JsonNode items = resolve(schema.path("items"));
                int size = random.nextInt(10) == 0 ? 500 + random.nextInt(2000) : random.nextInt(4);
                List<String> elements = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    elements.add(depth > 2 ? "1" : value(random, name, items, depth + 1, false));
                }
                yield "[" + String.join(",", elements) + "]";
            }
            case "object" -> {
                List<String> members = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").properties().iterator(); it.hasNext() && depth < 3; ) {
                    Map.Entry<String, JsonNode> property = it.next();
                    members.add(quote(property.getKey()) + ":" + value(random, property.getKey(), resolve(property.getValue()), depth + 1, false));
                }
                if (schema.has("additionalProperties") && random.nextBoolean()) {
                    members.add(quote(hostileString(random)) + ":" + quote(hostileString(random)));
                }
                yield "{" + String.join(",", members) + "}";
            }
            default -> {
                JsonNode example = schema.path("example");
                yield random.nextInt(3) == 0 && example.isString() ? quote(example.asString()) : quote(hostileString(random));
            }
        };
    }

    private String wrongValue(SplittableRandom random) {
        return pick(random, List.of("null", "true", "0", "-1", "1e400", "\"\"", "[]", "{}", "[[[[]]]]", "{\"a\":{\"b\":{}}}",
                "\"" + "x".repeat(20_000) + "\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "18446744073709551616"));
    }

    /** A string that breaks things: control and format characters, scripts, injection attempts, long runs. */
    private static String hostileString(SplittableRandom random) {
        return pick(random, List.of("", " ", "null", "0", "-1", "\u0000", "\u0001\u001f", "\u007f", "\u0085", "\u2028\u2029",
                "\u202etxt.exe", "\u200b", "\uFEFF", "ü日本😀", "\ud83d", "Ⅻ١٢٣", "' OR 1=1--", "\"; DROP TABLE apps;--",
                "../../../etc/passwd", "%s%n%x", "${jndi:ldap://127.0.0.1/a}", "#{7*7}", "<script>alert(1)</script>",
                "{\"a\":1}", "\\", "\\u0000", "%zz", "%ff", "a\r\nX-Injected: 1", "+", "+1", "+999999999999999",
                "+1 415 555 01", "@", "a@b", "sms", "SMS", "whatsapp ", "en_US.UTF-8", "x".repeat(300),
                "9".repeat(40), "1e400", "true"));
    }

    // --- encoding helpers ---

    private static byte[] chunks(SplittableRandom random, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (random.nextInt(4)) {
            case 0 -> out.writeBytes(("zz\r\n").getBytes(StandardCharsets.ISO_8859_1));
            // Announcing more than is sent would only wait for the connection timeout, so announce less.
            case 1 -> out.writeBytes((Integer.toHexString(Math.max(1, body.length / 2)) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            case 2 -> out.writeBytes(("fffffffffffffffff\r\n").getBytes(StandardCharsets.ISO_8859_1));
            default -> out.writeBytes((Integer.toHexString(body.length) + ";ext=\u0001\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes(body);
        out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static void appendQuery(StringBuilder query, String name, String value) {
        if (!query.isEmpty()) {
            query.append('&');
        }
        query.append(name).append('=').append(value);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String quote(String value) {
        return JSON.writeValueAsString(value);
    }

    private static String alphanumeric(SplittableRandom random, int length) {
        String letters = "abcdefghijklmnopqrstuvwxyz234567";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.append(letters.charAt(random.nextInt(letters.length())));
        }
        return out.toString();
    }

    private static <T> T pick(SplittableRandom random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c < 0x20 || (c >= 0x7f && c <= 0xa0) ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    private static String abbreviate(String text, int length) {
        return text.length() <= length ? text : text.substring(0, length) + "…";
    }
}
