package dev.otpgate.access.oauth;

import dev.otpgate.platform.OtpgateProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Optional;
import org.springframework.security.web.util.UrlUtils;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The issuer of access tokens: {@code otpgate.oauth.issuer}, else {@code otpgate.public-url}, else (neither set)
 * the URL each request reached, as Spring Authorization Server then derives it. A fixed issuer is what a cluster
 * behind one name needs; the derived one suits a single node reached by one name.
 */
@Component
class IssuerSettings {

    private final Optional<String> configured;

    IssuerSettings(OAuthProperties oauth, OtpgateProperties properties) {
        URI issuer = oauth.issuer() != null ? oauth.issuer() : properties.publicUrl();
        this.configured = Optional.ofNullable(issuer).map(uri -> {
            String text = uri.toString();
            return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        });
    }

    Optional<String> configured() {
        return configured;
    }

    /** What Spring Authorization Server takes as the issuer of a request when none is configured. */
    static String fromRequest(HttpServletRequest request) {
        return UriComponentsBuilder.fromUriString(UrlUtils.buildFullRequestUrl(request))
                .replacePath(request.getContextPath()).replaceQuery(null).fragment(null).build().toUriString();
    }
}
