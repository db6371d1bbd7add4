package dev.otpgate.access.oauth;

import dev.otpgate.access.Scope;
import java.time.Duration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.stereotype.Component;

/**
 * Spring Authorization Server's view of our {@code oauth_clients} table: client credentials only, secrets sent
 * by {@code client_secret_basic} or {@code client_secret_post}, self-contained (JWT) access tokens with the
 * client's own lifetime. The secret itself is not handed over: {@link ClientSecretCheck} checks it against the
 * stored hashes, the current one and, during a rotation's grace period, the previous one. Clients are managed
 * through {@code /v1/apps/{app_id}/oauth-clients} only, so {@link #save} refuses.
 */
@Component
class ClientRegistrations implements RegisteredClientRepository {

    /** The client setting that carries the app id into the token customizer. */
    static final String APP_ID = "otpgate.app-id";

    private final OAuthClientRepository repository;

    ClientRegistrations(OAuthClientRepository repository) {
        this.repository = repository;
    }

    @Override
    public void save(RegisteredClient registeredClient) {
        throw new UnsupportedOperationException("OAuth clients are managed through /v1/apps/{app_id}/oauth-clients");
    }

    @Override
    public RegisteredClient findById(String id) {
        return findByClientId(id);
    }

    @Override
    public RegisteredClient findByClientId(String clientId) {
        return repository.credentials(clientId).map(credentials -> registered(credentials.client())).orElse(null);
    }

    static RegisteredClient registered(OAuthClient client) {
        return RegisteredClient.withId(client.id())
                .clientId(client.id())
                .clientName(client.name())
                .clientIdIssuedAt(client.createdAt())
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scopes(scopes -> client.scopes().stream().map(Scope::value).forEach(scopes::add))
                .clientSettings(ClientSettings.builder().setting(APP_ID, client.appId()).build())
                .tokenSettings(TokenSettings.builder()
                        .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                        .accessTokenTimeToLive(Duration.ofSeconds(client.tokenTtlSeconds()))
                        .build())
                .build();
    }
}
