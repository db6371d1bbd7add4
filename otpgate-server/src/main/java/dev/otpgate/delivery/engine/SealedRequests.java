package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.platform.KeyRing;
import java.util.Base64;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link DeliveryRequest} as the job table holds it: AEAD-encrypted under the data key and bound to its job
 * instance, because it carries the code in clear. Another job's data does not open under this job's id.
 */
@Component
public class SealedRequests {

    private final KeyRing keys;
    private final JsonMapper json;

    SealedRequests(KeyRing keys, JsonMapper json) {
        this.keys = keys;
        this.json = json;
    }

    public String seal(DeliveryRequest request, String instanceId) {
        byte[] ciphertext = keys.encrypt(json.writeValueAsBytes(request), "delivery:" + instanceId);
        return Base64.getEncoder().encodeToString(ciphertext);
    }

    DeliveryRequest open(String sealed, String instanceId) {
        byte[] plaintext = keys.decrypt(Base64.getDecoder().decode(sealed), "delivery:" + instanceId);
        return json.readValue(plaintext, DeliveryRequest.class);
    }
}
