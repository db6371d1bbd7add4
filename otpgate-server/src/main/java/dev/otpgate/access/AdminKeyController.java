package dev.otpgate.access;

import dev.otpgate.access.KeyViews.KeyView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

/** {@code /v1/admin/api-keys}: instance-wide admin keys (admin scope). The secret appears once, when made. */
@RestController
@RequestMapping(path = "/v1/admin/api-keys", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Admin keys", description = "Instance-wide keys that manage apps, keys and settings (admin scope)")
class AdminKeyController {

    private static final String COLLECTION = "/v1/admin/api-keys";

    private final AdminKeyService admins;
    private final KeyRotation rotation;

    AdminKeyController(AdminKeyService admins, KeyRotation rotation) {
        this.admins = admins;
        this.rotation = rotation;
    }

    record CreateAdminKeyRequest(String name, Instant expiresAt) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create an admin key; the secret is shown in this response only")
    ResponseEntity<KeyView> create(@RequestBody CreateAdminKeyRequest request) {
        ApiKeyService.CreatedKey created = admins.create(KeyViews.name(request.name()), request.expiresAt());
        return ResponseEntity.created(URI.create(COLLECTION + "/" + created.key().id()))
                .body(KeyView.of(created.key(), created.secret()));
    }

    @GetMapping
    @Operation(summary = "List admin keys, revoked and replaced ones included (never their secrets)")
    Map<String, List<KeyView>> list() {
        return Map.of("api_keys", admins.list().stream().map(key -> KeyView.of(key, null)).toList());
    }

    @DeleteMapping("/{key_id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Revoke an admin key at once on every node; the last active one cannot be revoked")
    void revoke(@PathVariable("key_id") String keyId) {
        KeyViews.revoked(admins.revoke(keyId));
    }

    @PostMapping("/{key_id}/rotate")
    @Operation(summary = "Replace an admin key; the old secret keeps working for grace_seconds (default one day)")
    ResponseEntity<KeyView> rotate(@PathVariable("key_id") String keyId,
            @RequestBody(required = false) KeyViews.RotateRequest request) {
        return KeyViews.rotated(rotation.rotate(null, keyId, KeyViews.grace(request)), COLLECTION);
    }
}
