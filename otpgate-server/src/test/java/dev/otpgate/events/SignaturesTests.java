package dev.otpgate.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * otpgate's Standard Webhooks signatures against the specification's published test vector and against the npm
 * package {@code standardwebhooks} (an independent implementation, run with Node).
 */
class SignaturesTests {

    // The specification's test vector (standard-webhooks, spec/standard-webhooks.md and its libraries' tests).
    static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long SPEC_TIMESTAMP = 1614265330L;
    static final String SPEC_BODY = "{\"test\": 2432232314}";

    @Test
    void signWhenGivenTheSpecificationsTestVectorThenTheSignatureIsThePublishedOne() {
        assertThat(Signatures.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void newSecretIsWhsecAndBase64OfThirtyTwoRandomBytes() {
        String one = Signatures.newSecret();
        String two = Signatures.newSecret();
        assertThat(one).startsWith("whsec_").isNotEqualTo(two);
        assertThat(Base64.getDecoder().decode(one.substring(6))).hasSize(32);
    }

    @Test
    void nodeStandardWebhooksWhenOtpgateSignedThenVerifiesAndWhenOneByteOfTheBodyChangesThenRefuses() throws Exception {
        String secret = Signatures.newSecret();
        String body = "{\"type\":\"verification.approved\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{\"id\":\"vrf_x\"}}";
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        String signature = Signatures.sign(secret, "msg_abc", Long.parseLong(timestamp), body.getBytes(StandardCharsets.UTF_8));
        try (NodeVerifier node = new NodeVerifier()) {
            assertThat(node.verify(secret, "msg_abc", timestamp, signature, body)).isEqualTo("ok");
            String tampered = body.replace("vrf_x", "vrf_y");
            assertThat(node.verify(secret, "msg_abc", timestamp, signature, tampered)).startsWith("fail");
            assertThat(node.verify(secret, "msg_abd", timestamp, signature, body)).startsWith("fail");
            assertThat(node.verify(Signatures.newSecret(), "msg_abc", timestamp, signature, body)).startsWith("fail");
            // During a rotation two signatures go out, space-separated: a receiver holding either secret verifies.
            String other = Signatures.newSecret();
            String both = Signatures.sign(other, "msg_abc", Long.parseLong(timestamp), body.getBytes(StandardCharsets.UTF_8))
                    + " " + signature;
            assertThat(node.verify(secret, "msg_abc", timestamp, both, body)).isEqualTo("ok");
            assertThat(node.verify(other, "msg_abc", timestamp, both, body)).isEqualTo("ok");
        }
    }
}
