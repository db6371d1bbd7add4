package dev.otpgate.simswap;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.sim-swap.*}: the instance's CAMARA SIM Swap API. Apps turn the check on in their defence
 * settings; without {@code base-url} an app that turns it on gets its {@code on_error} behaviour.
 *
 * @param baseUrl the API root; the check is {@code POST {base-url}/sim-swap/v2/check}. Unset: no API
 * @param tokenUrl the OAuth 2.0 token endpoint (client credentials grant)
 * @param clientId the OAuth 2.0 client id
 * @param clientSecret the OAuth 2.0 client secret, sent with HTTP Basic authentication
 * @param scope space-separated scopes to ask for; unset: none named
 * @param connectTimeout how long to wait for a TCP and TLS connection
 * @param readTimeout how long to wait for an answer, for the token and for the check
 * @param insecureHttp allow {@code http://} URLs, for a test peer only; refused in production mode
 * @param sslBundle the Spring Boot SSL bundle ({@code spring.ssl.bundle.*}) whose trust material alone the API
 *        and token calls trust; unset: the JVM's trust store
 */
@ConfigurationProperties("otpgate.sim-swap")
record SimSwapProperties(
        URI baseUrl,
        URI tokenUrl,
        String clientId,
        String clientSecret,
        String scope,
        @DefaultValue("3s") Duration connectTimeout,
        @DefaultValue("3s") Duration readTimeout,
        @DefaultValue("false") boolean insecureHttp,
        String sslBundle) {

    boolean configured() {
        return baseUrl != null;
    }

    /** Fails with a sentence that names the property when the configuration cannot work. */
    void validate(boolean production) {
        if (production && insecureHttp) {
            throw new IllegalStateException("otpgate.sim-swap.insecure-http is not allowed in production mode");
        }
        requireUrl("otpgate.sim-swap.base-url", baseUrl);
        requireUrl("otpgate.sim-swap.token-url", tokenUrl);
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalStateException("otpgate.sim-swap.client-id is required when otpgate.sim-swap.base-url is set");
        }
        if (clientSecret == null || clientSecret.isBlank()) {
            throw new IllegalStateException(
                    "otpgate.sim-swap.client-secret is required when otpgate.sim-swap.base-url is set");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalStateException("otpgate.sim-swap.connect-timeout and read-timeout must be positive");
        }
    }

    private void requireUrl(String property, URI url) {
        if (url == null || url.getHost() == null) {
            throw new IllegalStateException(property + " must be an absolute https URL");
        }
        String scheme = url.getScheme();
        if ("http".equalsIgnoreCase(scheme)) {
            if (!insecureHttp) {
                throw new IllegalStateException(property + " must use https (set otpgate.sim-swap.insecure-http: true "
                        + "only for a test peer)");
            }
        } else if (!"https".equalsIgnoreCase(scheme)) {
            throw new IllegalStateException(property + " must be an https URL");
        }
    }

    @Override
    public String toString() {
        return "SimSwapProperties[baseUrl=" + baseUrl + ", tokenUrl=" + tokenUrl + ", clientId=" + clientId
                + ", clientSecret=" + (clientSecret == null ? "null" : "(hidden)") + ", scope=" + scope
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", insecureHttp="
                + insecureHttp + ", sslBundle=" + sslBundle + "]";
    }
}
