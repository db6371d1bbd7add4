package dev.otpgate.events;

import dev.otpgate.platform.KeyRing;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Endpoint secrets sealed with the data key (AES-256-GCM, bound to the endpoint id), opened only to sign. A
 * rotated-out secret keeps signing beside the new one until it expires.
 */
@Component
class EndpointSecrets {

    private final KeyRing keys;

    EndpointSecrets(KeyRing keys) {
        this.keys = keys;
    }

    byte[] seal(String endpointId, String secret) {
        return keys.encrypt(secret.getBytes(StandardCharsets.UTF_8), context(endpointId));
    }

    /** The secrets that sign now: the current one first, then the previous one while it has not expired. */
    List<String> signing(WebhookEndpoint endpoint, Instant now) {
        List<String> secrets = new ArrayList<>(2);
        secrets.add(open(endpoint.id(), endpoint.secret()));
        if (endpoint.previousSecret() != null && endpoint.previousExpiresAt() != null
                && endpoint.previousExpiresAt().isAfter(now)) {
            secrets.add(open(endpoint.id(), endpoint.previousSecret()));
        }
        return secrets;
    }

    private String open(String endpointId, byte[] sealed) {
        return new String(keys.decrypt(sealed, context(endpointId)), StandardCharsets.UTF_8);
    }

    private static String context(String endpointId) {
        return "webhook-secret:" + endpointId;
    }
}
