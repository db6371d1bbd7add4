package dev.otpgate.delivery;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.springframework.util.MultiValueMap;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The HTTP client every HTTP provider adapter uses (S-08): the JDK client on HTTP/1.1, the JVM's trust store
 * with full certificate and host name validation, bounded connect and read timeouts, no redirects. Plain
 * {@code http://} is refused unless the provider's configuration opts in with {@code insecure-http: true},
 * which is meant for a gateway on the same host or a test peer and is refused in production mode.
 *
 * <p>Adapters hand request bodies over as bytes ({@link #formBody}, or JSON written to bytes): Spring's
 * {@code RestClient} logs the objects it converts at DEBUG, and provider bodies carry codes and numbers (S-45).
 */
public final class ProviderHttp {

    private ProviderHttp() {}

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

    /**
     * @param providerId for the messages of a refused configuration
     * @param baseUrl the provider's base URL
     */
    public static RestClient client(String providerId, URI baseUrl, Duration connectTimeout, Duration readTimeout,
            boolean insecureHttp, boolean production) {
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
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(readTimeout);
        return RestClient.builder().requestFactory(factory).baseUrl(baseUrl.toString()).build();
    }
}
