package dev.otpgate.access.oauth;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;

/**
 * Authenticates a client by its secret ({@code client_secret_basic} or {@code client_secret_post}) against the
 * stored SHA-256 hashes, in constant time (S-13): the current secret, or the previous one until its grace period
 * ends. Replaces Spring Authorization Server's {@code ClientSecretAuthenticationProvider}, which knows one secret
 * per client. Every failure is the same {@code invalid_client}, whether the client is unknown, deleted or the
 * secret wrong; failures are counted per client address by {@link ClientAuthenticationLimit}.
 */
final class ClientSecretCheck implements AuthenticationProvider {

    private static final byte[] NO_SUCH_CLIENT = OAuthClientSecrets.hash("no such client");

    private final OAuthClientRepository repository;
    private final Clock clock;

    ClientSecretCheck(OAuthClientRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        OAuth2ClientAuthenticationToken presented = (OAuth2ClientAuthenticationToken) authentication;
        ClientAuthenticationMethod method = presented.getClientAuthenticationMethod();
        if (!ClientAuthenticationMethod.CLIENT_SECRET_BASIC.equals(method)
                && !ClientAuthenticationMethod.CLIENT_SECRET_POST.equals(method)) {
            return null;
        }
        if (!(presented.getCredentials() instanceof String secret) || !(presented.getPrincipal() instanceof String clientId)) {
            throw invalidClient();
        }
        Optional<OAuthClientRepository.Credentials> found = repository.credentials(clientId);
        if (found.isEmpty()) {
            // Hash anyway, so an unknown client id takes as long as a wrong secret.
            OAuthClientSecrets.matches(secret, NO_SUCH_CLIENT);
            throw invalidClient();
        }
        OAuthClientRepository.Credentials credentials = found.get();
        Instant now = clock.instant();
        boolean current = OAuthClientSecrets.matches(secret, credentials.secretHash());
        boolean previous = OAuthClientSecrets.matches(secret, credentials.previousSecretHash())
                & credentials.client().inGraceAt(now);
        if (!(current | previous)) {
            throw invalidClient();
        }
        return new OAuth2ClientAuthenticationToken(ClientRegistrations.registered(credentials.client()), method, null);
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return OAuth2ClientAuthenticationToken.class.isAssignableFrom(authentication);
    }

    private static OAuth2AuthenticationException invalidClient() {
        return new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT,
                "client authentication failed", null));
    }
}
