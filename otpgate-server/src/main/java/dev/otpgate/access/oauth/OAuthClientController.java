package dev.otpgate.access.oauth;

import dev.otpgate.access.Scope;
import dev.otpgate.platform.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/apps/{app_id}/oauth-clients}: admin keys only (the API chain's rule for {@code /v1/apps/**}). The
 * client secret appears in the create and rotate responses only (S-29).
 */
@RestController
@RequestMapping(path = "/v1/apps/{app_id}/oauth-clients", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "OAuth clients", description = "Client-credentials clients of an app (admin scope)")
class OAuthClientController {

    private final OAuthClientService clients;

    OAuthClientController(OAuthClientService clients) {
        this.clients = clients;
    }

    record CreateClientRequest(String name, List<String> scopes, Integer tokenTtlSeconds) {}

    record RotateSecretRequest(Long graceSeconds) {}

    record ClientView(String clientId, String appId, String name, List<String> scopes, int tokenTtlSeconds,
            String secretHint, Instant createdAt, Instant secretRotatedAt, Instant previousSecretExpiresAt,
            String clientSecret) {

        @Override
        public String toString() {
            return "ClientView[" + clientId + "]";
        }

        static ClientView of(OAuthClient client, String secret) {
            return new ClientView(client.id(), client.appId(), client.name(),
                    client.scopes().stream().map(Scope::value).sorted().toList(), client.tokenTtlSeconds(),
                    client.secretHint(), client.createdAt(), client.secretRotatedAt(), client.previousSecretExpiresAt(),
                    secret);
        }
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create a client; its secret is shown in this response only")
    ResponseEntity<ClientView> create(@PathVariable("app_id") String appId, @RequestBody CreateClientRequest request) {
        String name = request.name() == null ? "" : request.name().strip();
        if (name.isEmpty() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.invalid("name", "must be 1–100 printable characters");
        }
        Set<Scope> scopes = scopes(request.scopes());
        int ttl = request.tokenTtlSeconds() == null ? OAuthClientService.DEFAULT_TOKEN_TTL_SECONDS : request.tokenTtlSeconds();
        if (ttl < OAuthClientService.MIN_TOKEN_TTL_SECONDS || ttl > OAuthClientService.MAX_TOKEN_TTL_SECONDS) {
            throw ApiProblem.invalid("token_ttl_seconds", "must be " + OAuthClientService.MIN_TOKEN_TTL_SECONDS + "–"
                    + OAuthClientService.MAX_TOKEN_TTL_SECONDS + ", was " + ttl);
        }
        requireApp(appId);
        OAuthClientService.CreatedClient created = clients.create(appId, name, scopes, ttl);
        return ResponseEntity.created(URI.create("/v1/apps/" + appId + "/oauth-clients/" + created.client().id()))
                .body(ClientView.of(created.client(), created.secret()));
    }

    @GetMapping
    @Operation(summary = "List an app's clients (never their secrets)")
    Map<String, List<ClientView>> list(@PathVariable("app_id") String appId) {
        requireApp(appId);
        return Map.of("oauth_clients", clients.list(appId).stream().map(client -> ClientView.of(client, null)).toList());
    }

    @PostMapping(path = "/{client_id}/rotate-secret")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Issue a new secret; the old one keeps working for grace_seconds (default 86400)")
    ClientView rotate(@PathVariable("app_id") String appId, @PathVariable("client_id") String clientId,
            @RequestBody(required = false) RotateSecretRequest request) {
        long grace = request == null || request.graceSeconds() == null ? OAuthClientService.DEFAULT_GRACE_SECONDS
                : request.graceSeconds();
        if (grace < 0 || grace > OAuthClientService.MAX_GRACE_SECONDS) {
            throw ApiProblem.invalid("grace_seconds", "must be 0–" + OAuthClientService.MAX_GRACE_SECONDS + ", was " + grace);
        }
        requireApp(appId);
        return switch (clients.rotate(appId, clientId, Duration.ofSeconds(grace))) {
            case OAuthClientService.Rotation.Rotated rotated -> ClientView.of(rotated.client(), rotated.secret());
            case OAuthClientService.Rotation.NotFound notFound -> throw ApiProblem.notFound("OAuth client");
            case OAuthClientService.Rotation.AlreadyInGrace inGrace -> throw new ApiProblem(HttpStatus.CONFLICT,
                    "secret-in-grace", "Secret rotation under way",
                    "the previous secret is still in its grace period; rotate again after it ends")
                    .with("previous_secret_expires_at", String.valueOf(inGrace.graceEndsAt()));
        };
    }

    @DeleteMapping("/{client_id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a client: no new tokens at once; issued tokens live until they expire")
    void delete(@PathVariable("app_id") String appId, @PathVariable("client_id") String clientId) {
        requireApp(appId);
        if (!clients.delete(appId, clientId)) {
            throw ApiProblem.notFound("OAuth client");
        }
    }

    private void requireApp(String appId) {
        if (!clients.appExists(appId)) {
            throw ApiProblem.notFound("app");
        }
    }

    private static Set<Scope> scopes(List<String> values) {
        if (values == null || values.isEmpty()) {
            throw ApiProblem.invalid("scopes", "name at least one scope");
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String value : values) {
            Scope scope = Scope.of(value).orElseThrow(() -> ApiProblem.invalid("scopes", "unknown scope; one of "
                    + List.of(Scope.values()).stream().filter(s -> s != Scope.ADMIN).map(Scope::value).toList()));
            if (scope == Scope.ADMIN) {
                throw ApiProblem.invalid("scopes", "admin is instance-wide and cannot be given to an OAuth client");
            }
            scopes.add(scope);
        }
        return scopes;
    }
}
