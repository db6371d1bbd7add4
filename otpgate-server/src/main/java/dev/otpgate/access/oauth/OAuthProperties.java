package dev.otpgate.access.oauth;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * OAuth 2.0 client credentials under {@code otpgate.oauth.*}.
 *
 * @param issuer the {@code iss} of every token and the issuer in {@code /.well-known/oauth-authorization-server}
 *     ({@code https://verify.example.com}); unset: {@code otpgate.public-url}, and without that the URL each
 *     request reached. Nodes of a cluster behind one name must share it.
 * @param audience the {@code aud} of every token; a token for another audience is refused
 * @param failedAuthentications how failed client authentications at {@code /oauth2/token} are limited per
 *     client address
 */
@ConfigurationProperties("otpgate.oauth")
public record OAuthProperties(
        URI issuer,
        @DefaultValue("otpgate") String audience,
        @DefaultValue FailedAuthentications failedAuthentications) {

    public OAuthProperties {
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("otpgate.oauth.audience must not be blank");
        }
        if (issuer != null && (!"https".equals(issuer.getScheme()) && !"http".equals(issuer.getScheme())
                || issuer.getHost() == null || issuer.getQuery() != null || issuer.getFragment() != null)) {
            throw new IllegalArgumentException("otpgate.oauth.issuer must be an http(s) URL without query or fragment, was "
                    + issuer);
        }
    }

    /**
     * @param capacity failed authentications allowed per client address within {@code period}; the one after
     *     locks the address out of the token endpoint
     * @param period how long failures are remembered
     * @param lockout the first lockout; each further one doubles it
     * @param lockoutMax the longest lockout
     */
    public record FailedAuthentications(
            @DefaultValue("10") long capacity,
            @DefaultValue("10m") Duration period,
            @DefaultValue("15m") Duration lockout,
            @DefaultValue("24h") Duration lockoutMax) {

        public FailedAuthentications {
            if (capacity < 1) {
                throw new IllegalArgumentException("otpgate.oauth.failed-authentications.capacity must be at least 1, was "
                        + capacity);
            }
            if (period == null || period.toSeconds() < 1 || lockout == null || lockout.toSeconds() < 1) {
                throw new IllegalArgumentException("otpgate.oauth.failed-authentications period and lockout must be at least 1s");
            }
            if (lockoutMax == null || lockoutMax.compareTo(lockout) < 0) {
                throw new IllegalArgumentException(
                        "otpgate.oauth.failed-authentications.lockout-max must not be shorter than lockout");
            }
        }
    }
}
