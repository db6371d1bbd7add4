package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Behind a TLS-terminating proxy ({@code otpgate.tls.behind-proxy=true}, plain HTTP on the API port): HSTS on
 * every answer (S-37), and the scheme taken from {@code X-Forwarded-Proto} only when the peer is a trusted proxy
 * (S-27). The trusted proxy here is {@code 127.0.0.1}; the same server reached over {@code ::1} is an untrusted
 * peer.
 */
class BehindProxyTests {

    @TempDir
    static Path dataDir;

    private static final String ADMIN_KEY = dev.otpgate.access.ApiKeySecrets.generate();
    private static ConfigurableApplicationContext server;
    private static int port;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void startServer() {
        List<String> arguments = new ArrayList<>(TestServers.embeddedArguments(dataDir));
        arguments.removeIf(argument -> argument.startsWith("--otpgate.bootstrap-admin-key="));
        arguments.add("--otpgate.bootstrap-admin-key=" + ADMIN_KEY);
        arguments.add("--otpgate.tls.behind-proxy=true");
        arguments.add("--otpgate.rate-limit.trusted-proxies=127.0.0.1");
        server = TestServers.start(arguments);
        port = TestServers.apiPort(server);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> send(String method, String path, String authorization, String contentType,
            String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("X-Forwarded-Proto", "https")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTokenFetchedThroughTheProxyNamesAnHttpsIssuerAndIsAcceptedThroughIt_S37() throws Exception {
        String admin = "Bearer " + ADMIN_KEY;
        String appId = JSON.readTree(send("POST", "/v1/apps", admin, "application/json", "{\"name\":\"Proxied\"}").body())
                .get("id").asString();
        HttpResponse<String> created = send("POST", "/v1/apps/" + appId + "/oauth-clients", admin, "application/json",
                "{\"name\":\"backend\",\"scopes\":[\"verifications:start\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        var client = JSON.readTree(created.body());
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((client.get("client_id").asString() + ":"
                + client.get("client_secret").asString()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> token = send("POST", "/oauth2/token", basic, "application/x-www-form-urlencoded",
                "grant_type=client_credentials");
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        assertThat(token.headers().firstValue("Strict-Transport-Security")).isPresent();
        String accessToken = JSON.readTree(token.body()).get("access_token").asString();
        String issuer = com.nimbusds.jwt.SignedJWT.parse(accessToken).getJWTClaimsSet().getIssuer();
        assertThat(issuer).isEqualTo("https://127.0.0.1:" + port);
        HttpResponse<String> started = send("POST", "/v1/verifications", "Bearer " + accessToken, "application/json",
                "{\"to\":\"+14155550177\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
    }

    private static HttpResponse<String> get(String host, String path, String forwardedProto) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (forwardedProto != null) {
            request.header("X-Forwarded-Proto", forwardedProto);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersWhenBehindTheProxyThenEveryOneCarriesHstsEvenOverPlainHttp_S37() throws Exception {
        for (HttpResponse<String> response : List.of(get("127.0.0.1", "/v1/apps", null),
                get("127.0.0.1", "/v1/apps", "https"), get("[::1]", "/v1/openapi.json", null),
                get("127.0.0.1", "/v1/nothing-here", "https"))) {
            assertThat(response.headers().firstValue("Strict-Transport-Security")).as(response.uri().toString())
                    .hasValueSatisfying(value -> assertThat(value).contains("max-age=31536000"));
        }
    }

    @Test
    void answersWhenTheContainerOrAnEarlyFilterRefusesARequestThenTheyCarryHstsToo_S37() throws Exception {
        // Refused before the security chain runs: by Tomcat (a NUL in the path) and by the malformed-request
        // filter (a query that is not UTF-8). Sent over a raw socket, so nothing normalises the request line.
        for (String requestLine : List.of("GET /v1/apps%00 HTTP/1.1", "GET /v1/apps?x=%ff HTTP/1.1")) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(answer).as(requestLine).startsWith("HTTP/1.1 400").contains("application/problem+json");
                assertThat(answer.toLowerCase(java.util.Locale.ROOT)).as(requestLine)
                        .contains("strict-transport-security: max-age=31536000");
            }
        }
    }

    @Test
    void schemeWhenATrustedProxySaysHttpsThenUrlsBuiltFromTheRequestSayHttps_S27_S37() throws Exception {
        assertThat(serverUrl(get("127.0.0.1", "/v1/openapi.json", "https"))).startsWith("https://");
        assertThat(serverUrl(get("127.0.0.1", "/v1/openapi.json", "http"))).startsWith("http://");
    }

    @Test
    void schemeWhenAnUntrustedPeerSaysHttpsThenItIsIgnored_S27() throws Exception {
        assertThat(serverUrl(get("[::1]", "/v1/openapi.json", "https"))).startsWith("http://");
    }

    private static String serverUrl(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode servers = JSON.readTree(response.body()).get("servers");
        return servers.get(0).get("url").asString();
    }
}
