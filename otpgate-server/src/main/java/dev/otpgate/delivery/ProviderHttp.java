package dev.otpgate.delivery;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The HTTP client every HTTP provider adapter uses (S-08): the JDK client on HTTP/1.1, the JVM's trust store
 * with full certificate and host name validation, bounded connect and read timeouts, no redirects. Plain
 * {@code http://} is refused unless the provider's configuration opts in with {@code insecure-http: true},
 * which is meant for a gateway on the same host or a test peer and is refused in production mode.
 */
public final class ProviderHttp {

    private ProviderHttp() {}

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
