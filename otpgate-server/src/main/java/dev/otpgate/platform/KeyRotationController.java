package dev.otpgate.platform;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/admin/keys/data/rotate}: admin keys only. Makes a new data key primary and announces it with
 * {@link DataKeyRotated}, on which modules re-encrypt what they hold in the background.
 * {@code POST /v1/admin/keys/code/rotate}: a new code key tags new codes; codes sent before keep checking.
 * {@code POST /v1/admin/keys/jwt/rotate}: a new key signs access tokens; the old one stays published until every
 * token it signed has expired; {@link JwtKeyRotated} announces it.
 */
@RestController
@Tag(name = "Keys", description = "Key rotation (admin scope)")
class KeyRotationController {

    private final KeyRing keys;
    private final JwtKeySet jwtKeys;
    private final IndexKeyRotation index;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    KeyRotationController(KeyRing keys, JwtKeySet jwtKeys, IndexKeyRotation index, ApplicationEventPublisher events,
            Clock clock) {
        this.keys = keys;
        this.jwtKeys = jwtKeys;
        this.index = index;
        this.events = events;
        this.clock = clock;
    }

    @PostMapping(path = "/v1/admin/keys/index/rotate", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Add a new index key as a secondary; promote it once every node has read it")
    ResponseEntity<Map<String, Object>> rotateIndex() {
        return answer(index.rotate());
    }

    @PostMapping(path = "/v1/admin/keys/index/promote", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Make the new index key primary; the previous one keeps matching until retired")
    ResponseEntity<Map<String, Object>> promoteIndex() {
        return answer(index.promote());
    }

    @PostMapping(path = "/v1/admin/keys/index/retire", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Remove the previous index key once its limit windows have passed")
    ResponseEntity<Map<String, Object>> retireIndex() {
        return answer(index.retire());
    }

    private ResponseEntity<Map<String, Object>> answer(IndexKeyRotation.Outcome outcome) {
        return switch (outcome) {
            case IndexKeyRotation.Added added -> {
                events.publishEvent(new IndexKeyChanged("rotated", added.keyId(), clock.instant()));
                yield ResponseEntity.ok(Map.of("state", "secondary",
                        "key_id", added.keyId(), "promotable_at", added.promotableAt().toString()));
            }
            case IndexKeyRotation.Promoted promoted -> {
                events.publishEvent(new IndexKeyChanged("promoted", promoted.keyId(), clock.instant()));
                yield ResponseEntity.ok(Map.of("state", "primary",
                        "key_id", promoted.keyId(), "previous_key_id", promoted.previousKeyId(),
                        "retirable_at", promoted.retirableAt().toString()));
            }
            case IndexKeyRotation.Retired retired -> {
                events.publishEvent(new IndexKeyChanged("retired", retired.keyId(), clock.instant()));
                yield ResponseEntity.ok(Map.of("state", "retired", "key_id", retired.keyId()));
            }
            case IndexKeyRotation.Refused refused -> {
                ApiProblem problem = new ApiProblem(org.springframework.http.HttpStatus.CONFLICT, refused.slug(),
                        "Index key rotation refused", refused.detail());
                throw refused.retryAfter() == null ? problem : problem.retryAfter(refused.retryAfter());
            }
        };
    }

    @PostMapping(path = "/v1/admin/keys/data/rotate", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Rotate the data key; stored secrets are re-encrypted in the background")
    ResponseEntity<Map<String, Object>> rotate() {
        int primary = keys.rotateDataKey();
        events.publishEvent(new DataKeyRotated(primary, clock.instant()));
        return ResponseEntity.accepted().body(Map.of("primary_key_id", Integer.toUnsignedString(primary), "reencryption", "scheduled"));
    }

    @PostMapping(path = "/v1/admin/keys/code/rotate", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Rotate the code key; codes sent before keep checking until they expire")
    ResponseEntity<Map<String, Object>> rotateCode() {
        int primary = keys.rotateCodeKey();
        events.publishEvent(new CodeKeyRotated(primary, clock.instant()));
        return ResponseEntity.ok(Map.of("primary_key_id", Integer.toUnsignedString(primary)));
    }

    @PostMapping(path = "/v1/admin/keys/jwt/rotate", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Rotate the JWT signing key; the old key stays published until its tokens have expired")
    ResponseEntity<Map<String, Object>> rotateJwt() {
        JwtKeySet.Rotation rotation = jwtKeys.rotate();
        events.publishEvent(new JwtKeyRotated(rotation.keyId(), rotation.previousKeyId(), rotation.previousWithdrawnAt(),
                clock.instant()));
        return ResponseEntity.ok(Map.of("key_id", rotation.keyId(), "previous_key_id", rotation.previousKeyId(),
                "previous_withdrawn_at", rotation.previousWithdrawnAt().toString()));
    }
}
