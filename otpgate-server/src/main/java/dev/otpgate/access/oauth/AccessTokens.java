package dev.otpgate.access.oauth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import dev.otpgate.access.Caller;
import dev.otpgate.access.Scope;
import dev.otpgate.platform.JwtKeySet;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;

/**
 * Checks a bearer access token that {@code /oauth2/token} issued, with Spring Security's {@link NimbusJwtDecoder}
 * over the published keys of {@link JwtKeySet}: RS256 only (so {@code alg: none} and an HMAC made with the public
 * key are refused), header {@code typ: at+jwt}, a key that is still published (a withdrawn key's tokens are
 * refused), then the claims: {@code exp} and {@code nbf} against the injected clock, the issuer, the audience, a
 * lifetime no longer than otpgate issues, and the app and client. It reads memory only, never the database, so a
 * deleted client's tokens live until their {@code exp} (S-26).
 *
 * <p>A refusal carries a fixed description of what was wrong, never anything from the token.
 */
@Component
public class AccessTokens {

    /** Allowance for the clocks of otpgate's nodes and its callers. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    /** What a presented token comes to. */
    public sealed interface Check {

        record Accepted(Caller caller) implements Check {}

        /** {@code description} is fit for {@code WWW-Authenticate}'s {@code error_description}. */
        record Refused(String description) implements Check {}
    }

    private final NimbusJwtDecoder decoder;
    private final OAuthProperties properties;
    private final Optional<String> configuredIssuer;
    private final Clock clock;

    AccessTokens(JwtKeySet keys, OAuthProperties properties, IssuerSettings issuer, Clock clock) {
        this.decoder = NimbusJwtDecoder.withJwkSource(keys)
                .jwsAlgorithm(SignatureAlgorithm.RS256)
                .jwtProcessorCustomizer(processor -> processor.setJWSTypeVerifier(
                        new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType(AccessTokenClaims.TOKEN_TYPE))))
                .build();
        // The claims are checked below, against the injected clock and with descriptions of our own.
        this.decoder.setJwtValidator(jwt -> OAuth2TokenValidatorResult.success());
        this.properties = properties;
        this.configuredIssuer = issuer.configured();
        this.clock = clock;
    }

    /** A token looks like a JWT (three dot-separated parts), as opposed to an API key. */
    public static boolean looksLikeJwt(String credential) {
        return credential.chars().filter(c -> c == '.').count() == 2;
    }

    public Check check(String token, HttpServletRequest request) {
        Jwt jwt;
        try {
            jwt = decoder.decode(token);
        } catch (JwtException e) {
            return refused("the token is malformed, not signed with RS256 by a published key, or its signature does not verify");
        }
        Instant now = clock.instant();
        if (jwt.getExpiresAt() == null || !now.isBefore(jwt.getExpiresAt().plus(CLOCK_SKEW))) {
            return refused("the token has expired");
        }
        if ((jwt.getNotBefore() != null && now.plus(CLOCK_SKEW).isBefore(jwt.getNotBefore()))
                || jwt.getIssuedAt() == null || now.plus(CLOCK_SKEW).isBefore(jwt.getIssuedAt())) {
            return refused("the token is not valid yet");
        }
        if (Duration.between(jwt.getIssuedAt(), jwt.getExpiresAt()).compareTo(JwtKeySet.MAX_TOKEN_LIFETIME) > 0) {
            return refused("the token lives longer than tokens otpgate issues");
        }
        String expectedIssuer = configuredIssuer.orElseGet(() -> IssuerSettings.fromRequest(request));
        if (!expectedIssuer.equals(jwt.getClaimAsString("iss"))) {
            return refused("the token was issued by another issuer");
        }
        if (jwt.getAudience() == null || !jwt.getAudience().contains(properties.audience())) {
            return refused("the token is meant for another audience");
        }
        String appId = jwt.getClaimAsString(AccessTokenClaims.APP_ID_CLAIM);
        String clientId = jwt.getSubject();
        if (appId == null || appId.isBlank() || clientId == null || clientId.isBlank()) {
            return refused("the token lacks the app or client claims");
        }
        return new Check.Accepted(new Caller(clientId, appId, scopes(jwt.getClaimAsString("scope"))));
    }

    /** The token's scopes that otpgate knows; {@link Scope#ADMIN} never, whatever a token says. */
    private static Set<Scope> scopes(String claim) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        if (claim != null) {
            for (String value : claim.split(" ")) {
                Scope.of(value).filter(scope -> scope != Scope.ADMIN).ifPresent(scopes::add);
            }
        }
        return scopes;
    }

    private static Check refused(String description) {
        return new Check.Refused(description);
    }
}
