package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import dev.otpgate.support.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JWT signing key set: stored sealed, rotated with a withdrawal time, shared by nodes on one directory (S-42). */
class JwtKeySetTests {

    @TempDir
    Path dataDir;

    final TestClock clock = new TestClock();
    final String master = newMasterKey();

    KeyRing ring(String masterKey, String previous) {
        return new KeyRing(new OtpgateProperties(OtpgateProperties.Mode.EMBEDDED, dataDir,
                new OtpgateProperties.DevInbox(true, 1000, Duration.ofHours(1)), new OtpgateProperties.Limits(16384),
                new OtpgateProperties.Tls(false), masterKey, previous, null, null));
    }

    static List<String> published(JwtKeySet keys) {
        return keys.get(new JWKSelector(new JWKMatcher.Builder().build()), null).stream().map(JWK::getKeyID).toList();
    }

    static List<JWK> byId(JwtKeySet keys, String keyId) {
        return keys.get(new JWKSelector(new JWKMatcher.Builder().keyIDs(Set.of(keyId)).build()), null);
    }

    @Test
    void theKeySetIsStoredSealedUnderTheMasterKeyWithNoKeyMaterialInClear() throws Exception {
        JwtKeySet keys = new JwtKeySet(ring(master, null), clock);
        String stored = Files.readString(dataDir.resolve("keys/jwt.json"));
        assertThat(JwtSigningKeys.primary(keys).isPrivate()).isTrue();
        // JSON's quotes never occur in base64, so these find a clear key set and never a chance run of letters
        // (the ciphertext held "RSA" about once in a hundred runs).
        assertThat(stored).doesNotContain(keys.signingKeyId()).doesNotContain("\"d\"").doesNotContain("\"kty\"")
                .doesNotContain(JwtSigningKeys.primary(keys).getModulus().toString())
                .doesNotContain(JwtSigningKeys.primary(keys).getPrivateExponent().toString());
        Files.writeString(dataDir.resolve("keys/jwt.json"), stored.substring(0, stored.length() - 8) + "AAAAAAA=");
        assertThatThrownBy(() -> new JwtKeySet(ring(master, null), clock)).as("a damaged file is refused")
                .hasMessageContaining("cannot open");
    }

    @Test
    void aRotatedKeyStaysPublishedUntilItsTokensHaveExpiredThenIsWithdrawnAndDropped() {
        JwtKeySet keys = new JwtKeySet(ring(master, null), clock);
        String first = keys.signingKeyId();
        clock.fixAt(Instant.parse("2026-12-01T00:00:00Z"));
        JwtKeySet.Rotation rotation = keys.rotate();
        assertThat(rotation.previousKeyId()).isEqualTo(first);
        assertThat(keys.signingKeyId()).isEqualTo(rotation.keyId()).isNotEqualTo(first);
        assertThat(rotation.previousWithdrawnAt()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z")
                .plus(JwtKeySet.MAX_TOKEN_LIFETIME).plus(JwtKeySet.REREAD_INTERVAL).plus(JwtKeySet.WITHDRAWAL_MARGIN));
        assertThat(published(keys)).containsExactlyInAnyOrder(first, rotation.keyId());

        clock.fixAt(rotation.previousWithdrawnAt().minusSeconds(1));
        assertThat(published(keys)).contains(first);
        clock.fixAt(rotation.previousWithdrawnAt());
        assertThat(published(keys)).containsExactly(rotation.keyId());
        assertThat(byId(keys, first)).as("a withdrawn key verifies nothing").isEmpty();

        JwtKeySet.Rotation next = keys.rotate();
        assertThat(published(keys)).containsExactlyInAnyOrder(rotation.keyId(), next.keyId());
        assertThat(published(new JwtKeySet(ring(master, null), clock))).as("dropped from the file")
                .containsExactlyInAnyOrder(rotation.keyId(), next.keyId());
    }

    @Test
    void anotherNodeOnTheSameDirectoryLearnsARotationFromItsFirstUnknownKeyId() {
        JwtKeySet nodeA = new JwtKeySet(ring(master, null), clock);
        JwtKeySet nodeB = new JwtKeySet(ring(master, null), clock);
        assertThat(nodeB.signingKeyId()).as("the second node reads the first one's key set").isEqualTo(nodeA.signingKeyId());
        JwtKeySet.Rotation rotation = nodeA.rotate();
        assertThat(byId(nodeB, rotation.keyId())).hasSize(1);
        assertThat(nodeB.signingKeyId()).isEqualTo(rotation.keyId());
        JwtKeySet.Rotation second = nodeB.rotate();
        assertThat(published(nodeB)).as("rotations in turn keep every live key")
                .containsExactlyInAnyOrder(second.keyId(), rotation.keyId(), rotation.previousKeyId());
    }

    @Test
    void aMasterKeyChangeReWrapsTheKeySetAndKeepsItsKeys() {
        String before = new JwtKeySet(ring(master, null), clock).signingKeyId();
        String next = newMasterKey();
        assertThat(new JwtKeySet(ring(next, master), clock).signingKeyId()).isEqualTo(before);
        assertThat(new JwtKeySet(ring(next, null), clock).signingKeyId()).as("re-wrapped under the new key").isEqualTo(before);
    }

    private static String newMasterKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
