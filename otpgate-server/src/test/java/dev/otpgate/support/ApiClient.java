package dev.otpgate.support;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTPS client for the API: trusts only the CA the server generated in its data directory, sends JSON,
 * and remembers every response body so that tests can search them (S-45).
 */
public class ApiClient {

    public record Response(int status, java.net.http.HttpHeaders headers, String body, JsonNode json) {

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String text(String field) {
            JsonNode node = json.get(field);
            return node == null || node.isNull() ? null : node.asString();
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;
    private final String baseUrl;
    private final List<String> bodies = new CopyOnWriteArrayList<>();

    public ApiClient(String baseUrl, Path caCertificate) {
        this.baseUrl = baseUrl;
        this.http = HttpClient.newBuilder()
                .sslContext(trusting(caCertificate))
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    public static SSLContext trusting(Path caCertificate) {
        try (InputStream in = Files.newInputStream(caCertificate)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("otpgate-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust " + caCertificate, e);
        }
    }

    public static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    public List<String> bodies() {
        return bodies;
    }

    public Response get(String path, String key) {
        return send("GET", path, key, null, Map.of());
    }

    public Response post(String path, String key, Object body) {
        return send("POST", path, key, body == null ? null : json(body), Map.of());
    }

    public Response postRaw(String path, String key, String body, Map<String, String> headers) {
        return send("POST", path, key, body, headers);
    }

    public Response patch(String path, String key, Object body) {
        return send("PATCH", path, key, json(body), Map.of());
    }

    public Response delete(String path, String key) {
        return send("DELETE", path, key, null, Map.of());
    }

    public Response send(String method, String path, String key, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        boolean hasContentType = headers.keySet().stream().anyMatch(name -> name.equalsIgnoreCase("Content-Type"));
        if (body != null && !hasContentType) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String text = response.body();
            bodies.add(text);
            // JSON Lines (the audit export) is many documents: read as text only.
            boolean lines = response.headers().firstValue("Content-Type").orElse("").startsWith("application/jsonl");
            JsonNode json = text == null || lines || !(text.startsWith("{") || text.startsWith("[")) ? JSON.createObjectNode() : JSON.readTree(text);
            return new Response(response.statusCode(), response.headers(), text, json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
