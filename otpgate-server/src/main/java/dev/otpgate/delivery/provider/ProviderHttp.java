package dev.otpgate.delivery.provider;

import java.io.IOException;
import java.io.InputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.springframework.util.MultiValueMap;
import java.net.http.HttpClient;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The HTTP client every HTTP provider adapter uses (S-08): the JDK client on HTTP/1.1, the JVM's trust store
 * or the provider's own SSL bundle ({@code ssl-bundle}), with full certificate and host name validation either
 * way, bounded connect and read timeouts, no redirects. Plain
 * {@code http://} is refused unless the provider's configuration opts in with {@code insecure-http: true},
 * which is meant for a gateway on the same host or a test peer and is refused in production mode.
 *
 * <p>Adapters hand request bodies over as bytes ({@link #formBody}, or JSON written to bytes): Spring's
 * {@code RestClient} logs the objects it converts at DEBUG, and provider bodies carry codes and numbers (S-45).
 */
public final class ProviderHttp {

    /** The most of a provider's answer that is read; a longer one is refused, not cut (S-08, S-36). */
    public static final int MAX_RESPONSE_BYTES = 64 * 1024;

    /** One JSON reader and writer for provider bodies, configured like no other: plain Jackson defaults. */
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private ProviderHttp() {}

    /**
     * A provider's answer, read to at most {@link #MAX_RESPONSE_BYTES}: a longer one fails with an
     * {@link IOException} after reading one byte more, never the whole of it.
     */
    public static byte[] boundedBody(InputStream in) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            if (bytes.length > MAX_RESPONSE_BYTES) {
                throw new IOException("response too large");
            }
            return bytes;
        }
    }

    /**
     * A JSON answer read within {@link #MAX_RESPONSE_BYTES}, or {@code null} when it is empty, too large or
     * not JSON: the caller treats that as a malformed answer.
     */
    public static JsonNode boundedJson(InputStream in) {
        try {
            byte[] bytes = boundedBody(in);
            return bytes.length == 0 ? null : JSON.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Where a provider sends its receipts: {@code {public-url}/v1/providers/{id}/receipts}, or {@code null}
     * without a public URL (the provider is then not asked for receipts).
     */
    public static String receiptUrl(URI publicUrl, String providerId) {
        return publicUrl == null ? null : publicUrl.toString().replaceAll("/+$", "") + "/v1/providers/" + providerId + "/receipts";
    }

    /**
     * Why a provider call failed below HTTP, in words safe to show: {@code timed out}, {@code TLS handshake
     * failed} or {@code connection failed}. The exception's own message is never used: it can quote the URL,
     * and some providers take credentials or the number in it.
     */
    public static String transportFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.http.HttpTimeoutException || t instanceof java.net.SocketTimeoutException) {
                return "timed out";
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS handshake failed";
            }
        }
        return "connection failed";
    }

    /** A form body, URL-encoded, as bytes. */
    public static byte[] formBody(MultiValueMap<String, String> form) {
        StringBuilder out = new StringBuilder();
        form.forEach((name, values) -> values.forEach(value -> {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@link #client(String, URI, Duration, Duration, boolean, boolean, SSLContext)} with the JVM's trust store. */
    public static RestClient client(String providerId, URI baseUrl, Duration connectTimeout, Duration readTimeout,
            boolean insecureHttp, boolean production) {
        return client(providerId, baseUrl, connectTimeout, readTimeout, insecureHttp, production, null);
    }

    /**
     * @param providerId for the messages of a refused configuration
     * @param baseUrl the provider's base URL
     * @param trust what the client trusts, from {@link #sslContext}; {@code null}: the JVM's trust store. Either
     *        way the JDK client verifies the host name against the certificate: a context replaces the trust
     *        anchors, never the checks
     */
    public static RestClient client(String providerId, URI baseUrl, Duration connectTimeout, Duration readTimeout,
            boolean insecureHttp, boolean production, SSLContext trust) {
        String scheme = baseUrl.getScheme();
        if ("http".equalsIgnoreCase(scheme)) {
            if (!insecureHttp) {
                throw new IllegalStateException("otpgate.providers." + providerId
                        + ".base-url must use https (set insecure-http: true only for a gateway on this host)");
            }
            if (production) {
                throw new IllegalStateException("otpgate.providers." + providerId
                        + ".insecure-http is not allowed in production mode");
            }
        } else if (!"https".equalsIgnoreCase(scheme)) {
            throw new IllegalStateException("otpgate.providers." + providerId + ".base-url must be an https URL");
        }
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (trust != null) {
            builder.sslContext(trust);
        }
        HttpClient http = builder.build();
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(readTimeout);
        return RestClient.builder().requestFactory(factory).baseUrl(baseUrl.toString()).build();
    }

    /**
     * The TLS context of the SSL bundle a provider names in {@code property} (Spring Boot's
     * {@code spring.ssl.bundle.*}), or {@code null} when it names none: the JVM's trust store then applies. A name
     * no bundle has stops start-up rather than falling back to the JVM's trust store, which would trust more than
     * the operator asked for. The bundle's own protocol and cipher options are not applied.
     *
     * @param bundles the application's bundles; {@code null}: none defined
     */
    public static SSLContext sslContext(SslBundles bundles, String property, String bundleName) {
        if (bundleName == null || bundleName.isBlank()) {
            return null;
        }
        try {
            if (bundles == null) {
                throw new NoSuchSslBundleException(bundleName, "no SSL bundles are defined");
            }
            return bundles.getBundle(bundleName).createSslContext();
        } catch (NoSuchSslBundleException e) {
            throw new IllegalStateException(property + " names the SSL bundle " + bundleName
                    + ", which is not defined under spring.ssl.bundle");
        }
    }
}
