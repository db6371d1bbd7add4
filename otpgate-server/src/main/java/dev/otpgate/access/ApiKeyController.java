package dev.otpgate.access;

import dev.otpgate.platform.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.otpgate.access.KeyViews.KeyView;
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

/** {@code /v1/apps/{app_id}/api-keys}: admin keys only. The secret appears in the create response only. */
@RestController
@RequestMapping(path = "/v1/apps/{app_id}/api-keys", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "API keys", description = "Keys an app's backend calls otpgate with (admin scope)")
class ApiKeyController {

    private final ApiKeyService keys;
    private final KeyRotation rotation;

    ApiKeyController(ApiKeyService keys, KeyRotation rotation) {
        this.keys = keys;
        this.rotation = rotation;
    }

    record CreateKeyRequest(String name, List<String> scopes, Instant expiresAt) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create a key; the secret is shown in this response only")
    ResponseEntity<KeyView> create(@PathVariable("app_id") String appId, @RequestBody CreateKeyRequest request) {
        String name = KeyViews.name(request.name());
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String value : request.scopes() == null ? List.<String>of() : request.scopes()) {
            scopes.add(Scope.of(value).orElseThrow(() -> ApiProblem.invalid("scopes", "unknown scope; one of "
                    + List.of(Scope.values()).stream().map(Scope::value).toList())));
        }
        ApiKeyService.CreatedKey created = keys.create(appId, name, scopes, request.expiresAt());
        return ResponseEntity.created(URI.create("/v1/apps/" + appId + "/api-keys/" + created.key().id()))
                .body(KeyView.of(created.key(), created.secret()));
    }

    @GetMapping
    @Operation(summary = "List an app's keys (never their secrets)")
    Map<String, List<KeyView>> list(@PathVariable("app_id") String appId) {
        return Map.of("api_keys", keys.list(appId).stream().map(key -> KeyView.of(key, null)).toList());
    }

    @DeleteMapping("/{key_id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Revoke a key with immediate effect")
    void revoke(@PathVariable("app_id") String appId, @PathVariable("key_id") String keyId) {
        KeyViews.revoked(keys.revoke(appId, keyId));
    }

    @PostMapping("/{key_id}/rotate")
    @Operation(summary = "Replace a key; the old secret keeps working for grace_seconds (default one day)")
    ResponseEntity<KeyView> rotate(@PathVariable("app_id") String appId, @PathVariable("key_id") String keyId,
            @RequestBody(required = false) KeyViews.RotateRequest request) {
        return KeyViews.rotated(rotation.rotate(appId, keyId, KeyViews.grace(request)), "/v1/apps/" + appId + "/api-keys");
    }
}
