package dev.otpgate.access.oauth;

import java.util.List;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Shapes access tokens as RFC 9068 describes: header {@code typ: at+jwt}; {@code aud} the configured audience
 * (instead of the library's default, the client id); {@code scope} one space-separated string; and the client's
 * app as {@code app_id}, the boundary every API call keeps to (S-28). {@code iss}, {@code sub} (the client id),
 * {@code iat}, {@code nbf}, {@code exp} and a random {@code jti} come from Spring Authorization Server.
 */
final class AccessTokenClaims implements OAuth2TokenCustomizer<JwtEncodingContext> {

    static final String TOKEN_TYPE = "at+jwt";
    static final String APP_ID_CLAIM = "app_id";

    private final String audience;

    AccessTokenClaims(String audience) {
        this.audience = audience;
    }

    @Override
    public void customize(JwtEncodingContext context) {
        if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
            return;
        }
        context.getJwsHeader().type(TOKEN_TYPE);
        String appId = context.getRegisteredClient().getClientSettings().getSetting(ClientRegistrations.APP_ID);
        context.getClaims()
                .audience(List.of(audience))
                .claim(APP_ID_CLAIM, appId)
                .claim("scope", String.join(" ", context.getAuthorizedScopes().stream().sorted().toList()));
    }
}
