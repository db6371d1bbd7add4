package dev.otpgate.simswap;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A CAMARA SIM Swap API and its OAuth 2.0 token endpoint on a dynamic port, over plain HTTP/1.1. The token
 * endpoint checks the client's Basic credentials and the client-credentials grant and issues numbered tokens;
 * {@code POST /sim-swap/v2/check} checks the bearer token and the request against the CAMARA schema
 * ({@code phoneNumber} E.164, {@code maxAge} 1–2400), answering CAMARA error bodies when they fail, and
 * otherwise plays the next scripted answer.
 */
public final class CamaraSimSwapStub implements AutoCloseable {

    public static final String CLIENT_ID = "otpgate-test-client";
    public static final String CLIENT_SECRET = "stub-client-secret-Zq8x3vK1";
    static final String TOKEN_PREFIX = "stub-access-token-";

    private static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{4,14}$");

    /** A scripted answer to a check; {@code delay} holds the answer back, for read timeouts. */
    public record Answer(int status, String body, Duration delay) {

        public static Answer swapped(boolean swapped) {
            return new Answer(200, "{\"swapped\": " + swapped + "}", Duration.ZERO);
        }

        public static Answer error(int status, String code) {
            return new Answer(status, "{\"status\": " + status + ", \"code\": \"" + code
                    + "\", \"message\": \"Client specified an invalid argument, request body or query param.\"}",
                    Duration.ZERO);
        }

        public static Answer raw(int status, String body) {
            return new Answer(status, body, Duration.ZERO);
        }

        public Answer after(Duration delay) {
            return new Answer(status, body, delay);
        }
    }

    /** A check request as received. */
    public record CheckRequest(String authorization, JsonNode body) {}

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final List<String> tokenRequestBodies = new CopyOnWriteArrayList<>();
    private final List<CheckRequest> checks = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Answer> fallback = new AtomicReference<>(Answer.swapped(false));
    private final AtomicReference<Long> expiresInSeconds = new AtomicReference<>(3600L);

    public CamaraSimSwapStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/oauth2/token", this::token);
        server.createContext("/camara/sim-swap/v2/check", this::check);
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/camara");
    }

    public URI tokenUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/token");
    }

    /** Answers the next checks with these, in order, then with {@link #answerAlways}'s answer. */
    public void answerNext(Answer... answers) {
        script.addAll(List.of(answers));
    }

    public void answerAlways(Answer answer) {
        fallback.set(answer);
    }

    void tokenLifetime(Duration lifetime) {
        expiresInSeconds.set(lifetime.toSeconds());
    }

    /** The API forgets every token it issued, as after a key rotation on its side. */
    void revokeTokens() {
        validTokens.clear();
    }

    int tokenRequests() {
        return tokenRequestBodies.size();
    }

    List<String> tokenRequestBodies() {
        return List.copyOf(tokenRequestBodies);
    }

    public List<CheckRequest> checks() {
        return List.copyOf(checks);
    }

    List<String> issuedTokens() {
        return java.util.stream.IntStream.rangeClosed(1, tokensIssued.get()).mapToObj(n -> TOKEN_PREFIX + n).toList();
    }

    private void token(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        tokenRequestBodies.add(body);
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        if (!"POST".equals(exchange.getRequestMethod()) || !expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(exchange, 401, "{\"error\": \"invalid_client\"}");
            return;
        }
        if (!"client_credentials".equals(form(body).get("grant_type"))) {
            respond(exchange, 400, "{\"error\": \"unsupported_grant_type\"}");
            return;
        }
        String scope = form(body).get("scope");
        if (scope != null && !scope.equals("sim-swap:check")) {
            respond(exchange, 400, "{\"error\": \"invalid_scope\", \"error_description\": \"unknown scope\"}");
            return;
        }
        String token = TOKEN_PREFIX + tokensIssued.incrementAndGet();
        validTokens.add(token);
        respond(exchange, 200, "{\"access_token\": \"" + token + "\", \"token_type\": \"Bearer\", \"expires_in\": "
                + expiresInSeconds.get() + "}");
    }

    private void check(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        JsonNode body;
        try {
            body = json.readTree(exchange.getRequestBody().readAllBytes());
        } catch (RuntimeException e) {
            body = null;
        }
        checks.add(new CheckRequest(authorization, body));
        if (authorization == null || !authorization.startsWith("Bearer ")
                || !validTokens.contains(authorization.substring("Bearer ".length()))) {
            respond(exchange, 401, "{\"status\": 401, \"code\": \"UNAUTHENTICATED\", \"message\": "
                    + "\"Request not authenticated due to missing, invalid, or expired credentials.\"}");
            return;
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        boolean valid = "POST".equals(exchange.getRequestMethod()) && contentType != null
                && contentType.startsWith("application/json") && body != null && body.isObject()
                && body.path("phoneNumber").isString() && E164.matcher(body.path("phoneNumber").stringValue()).matches()
                && (body.get("maxAge") == null || body.get("maxAge").isInt()
                        && body.get("maxAge").intValue() >= 1 && body.get("maxAge").intValue() <= 2400);
        if (!valid) {
            Answer invalid = Answer.error(400, "INVALID_ARGUMENT");
            respond(exchange, invalid.status(), invalid.body());
            return;
        }
        Answer answer = script.poll();
        if (answer == null) {
            answer = fallback.get();
        }
        if (!answer.delay().isZero()) {
            try {
                Thread.sleep(answer.delay());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        respond(exchange, answer.status(), answer.body());
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        } catch (IOException e) {
            // The client gave up (a read timeout); nothing to answer.
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
    }
}
