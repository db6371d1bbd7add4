package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The key sets behind code tags (S-40) and sealed data (S-42): what they produce, how they are stored, and
 * that only the master key they were written with opens them.
 */
class KeyRingTests {

    private static final byte[] PLAINTEXT = "+14155550123".getBytes(StandardCharsets.UTF_8);
    private static final List<String> KEY_SETS = List.of("code", "index", "data");

    @TempDir
    Path dataDir;

    @BeforeAll
    static void noMasterKeyInTheEnvironment() {
        // KeyRing falls back to OTPGATE_MASTER_KEY; the embedded-mode tests need it absent.
        Assumptions.assumeTrue(System.getenv("OTPGATE_MASTER_KEY") == null, "OTPGATE_MASTER_KEY is set");
    }

    /** Calls from virtual threads run on the key ring's platform threads (CryptoThreads); they answer alike. */
    @Test
    void keyRingWhenManyVirtualThreadsSealOpenAndTagThenEveryResultIsTheSameAsOnOneThread() throws Exception {
        KeyRing keys = new KeyRing(properties(dataDir, null));
        byte[] plaintext = "+14155550123".getBytes(StandardCharsets.UTF_8);
        byte[] tag = keys.codeTag(plaintext);
        byte[] index = keys.blindIndex("+14155550123");
        List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        try (java.util.concurrent.ExecutorService virtual = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                results.add(virtual.submit(() -> {
                    byte[] sealed = keys.encrypt(plaintext, "destination:app_1");
                    return java.util.Arrays.equals(keys.decrypt(sealed, "destination:app_1"), plaintext)
                            && java.util.Arrays.equals(keys.codeTag(plaintext), tag)
                            && keys.codeTagMatches(tag, plaintext)
                            && !keys.codeTagMatches(tag, "+14155550124".getBytes(StandardCharsets.UTF_8))
                            && java.util.Arrays.equals(keys.blindIndex("+14155550123"), index);
                }));
            }
            for (java.util.concurrent.Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
            java.util.concurrent.Future<?> tampered = virtual.submit(() -> {
                byte[] sealed = keys.encrypt(plaintext, "destination:app_1");
                sealed[sealed.length - 1] ^= 1;
                return keys.decrypt(sealed, "destination:app_1");
            });
            assertThatThrownBy(tampered::get).hasCauseInstanceOf(IllegalStateException.class)
                    .cause().hasMessage("decryption failed: wrong key or tampered data");
        }
    }

    // --- S-42: AES-256-GCM ---

    @Test
    void decryptWhenGivenWhatEncryptProducedUnderTheSameContextThenThePlaintextComesBack() {
        KeyRing keys = new KeyRing(properties(dataDir, null));

        byte[] sealed = keys.encrypt(PLAINTEXT, "destination:app_1");

        assertThat(sealed).isNotEqualTo(PLAINTEXT);
        assertThat(indexOf(sealed, PLAINTEXT)).as("plaintext visible in ciphertext").isEqualTo(-1);
        assertThat(keys.decrypt(sealed, "destination:app_1")).isEqualTo(PLAINTEXT);
        assertThat(keys.decrypt(keys.encrypt(new byte[0], "empty"), "empty")).isEmpty();
    }

    @Test
    void encryptWhenTheSamePlaintextIsSealedTwiceThenTheCiphertextsDifferByTheirNonce() {
        // S-42: a fresh nonce per encryption, so equal plaintexts do not give equal ciphertexts.
        KeyRing keys = new KeyRing(properties(dataDir, null));

        Set<String> seen = new HashSet<>();
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            byte[] sealed = keys.encrypt(PLAINTEXT, "destination");
            seen.add(Base64.getEncoder().encodeToString(sealed));
            // Tink AES-GCM: 5-byte prefix, 12-byte nonce, ciphertext, 16-byte tag.
            nonces.add(Base64.getEncoder().encodeToString(Arrays.copyOfRange(sealed, 5, 17)));
            assertThat(sealed).hasSize(5 + 12 + PLAINTEXT.length + 16);
        }
        assertThat(seen).hasSize(50);
        assertThat(nonces).hasSize(50);
    }

    @Test
    void decryptWhenTheContextDiffersThenItFails() {
        // S-42: the context is bound as associated data; a value sealed for one row cannot be moved to another.
        KeyRing keys = new KeyRing(properties(dataDir, null));
        byte[] sealed = keys.encrypt(PLAINTEXT, "destination:vrf_a");

        assertThatThrownBy(() -> keys.decrypt(sealed, "destination:vrf_b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("decryption failed");
        assertThatThrownBy(() -> keys.decrypt(sealed, ""))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void decryptWhenTheCiphertextIsTamperedWithThenItFails() {
        // S-42
        KeyRing keys = new KeyRing(properties(dataDir, null));
        byte[] sealed = keys.encrypt(PLAINTEXT, "destination");

        for (int position : new int[] {5, 17, sealed.length - 1}) {
            byte[] tampered = sealed.clone();
            tampered[position] ^= 0x01;
            assertThatThrownBy(() -> keys.decrypt(tampered, "destination"))
                    .as("bit flipped at %d", position)
                    .isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> keys.decrypt(Arrays.copyOf(sealed, sealed.length - 1), "destination"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void encryptWhenSealingThenTheCiphertextStartsWithTheTinkPrefixOfThePrimaryDataKey() throws IOException {
        // S-42: the 5-byte Tink prefix (0x01 + key id) lets a rotated key set still decrypt old values.
        KeyRing keys = new KeyRing(properties(dataDir, null));

        byte[] sealed = keys.encrypt(PLAINTEXT, "destination");

        assertThat(sealed[0]).isEqualTo((byte) 0x01);
        assertThat(keyId(sealed)).isEqualTo(primaryKeyId("data"));
    }

    // --- S-40: HMAC-SHA256 code tags, and the blind index ---

    @Test
    void codeTagWhenComputedTwiceThenItIsTheSameAndCarriesTheCodeKeyPrefix() throws IOException {
        // S-40
        KeyRing keys = new KeyRing(properties(dataDir, null));
        byte[] code = "vrf_x:123456".getBytes(StandardCharsets.UTF_8);

        byte[] tag = keys.codeTag(code);

        assertThat(keys.codeTag(code)).isEqualTo(tag);
        assertThat(tag).hasSize(5 + 32);
        assertThat(tag[0]).isEqualTo((byte) 0x01);
        assertThat(keyId(tag)).isEqualTo(primaryKeyId("code"));
        assertThat(keys.codeTag("vrf_x:123457".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(tag);
    }

    @Test
    void codeTagMatchesWhenTheTagIsTheCodesOwnThenTrueAndOtherwiseFalse() {
        // S-40
        KeyRing keys = new KeyRing(properties(dataDir, null));
        byte[] code = "vrf_x:123456".getBytes(StandardCharsets.UTF_8);
        byte[] tag = keys.codeTag(code);

        assertThat(keys.codeTagMatches(tag, code)).isTrue();
        assertThat(keys.codeTagMatches(tag, "vrf_x:123457".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(keys.codeTagMatches(tag, "vrf_y:123456".getBytes(StandardCharsets.UTF_8))).isFalse();

        byte[] flippedLastByte = tag.clone();
        flippedLastByte[tag.length - 1] ^= 0x01;
        assertThat(keys.codeTagMatches(flippedLastByte, code)).isFalse();

        byte[] otherKeyId = tag.clone();
        otherKeyId[4] ^= 0x01;
        assertThat(keys.codeTagMatches(otherKeyId, code)).as("unknown key id").isFalse();

        assertThat(keys.codeTagMatches(Arrays.copyOf(tag, tag.length - 1), code)).isFalse();
        assertThat(keys.codeTagMatches(Arrays.copyOf(tag, 5), code)).isFalse();
        assertThat(keys.codeTagMatches(new byte[0], code)).isFalse();
    }

    @Test
    void codeTagMatchesWhenTheTagComesFromAnotherInstallationThenFalse(@TempDir Path otherDir) {
        // S-40: a tag is only as good as the secret key behind it.
        KeyRing keys = new KeyRing(properties(dataDir, null));
        KeyRing other = new KeyRing(properties(otherDir, null));
        byte[] code = "vrf_x:123456".getBytes(StandardCharsets.UTF_8);

        assertThat(other.codeTag(code)).isNotEqualTo(keys.codeTag(code));
        assertThat(keys.codeTagMatches(other.codeTag(code), code)).isFalse();
    }

    @Test
    void blindIndexWhenComputedTwiceThenItIsTheSameAndDiffersFromTheCodeTagOfTheSameBytes() throws IOException {
        KeyRing keys = new KeyRing(properties(dataDir, null));

        byte[] index = keys.blindIndex("+14155550123");

        assertThat(keys.blindIndex("+14155550123")).isEqualTo(index);
        assertThat(keys.blindIndex("+14155550124")).isNotEqualTo(index);
        assertThat(keyId(index)).isEqualTo(primaryKeyId("index"));
        assertThat(Arrays.copyOfRange(index, 5, index.length))
                .as("the index key is not the code key")
                .isNotEqualTo(Arrays.copyOfRange(keys.codeTag(PLAINTEXT), 5, 37));
    }

    // --- storage ---

    @Test
    void storeWhenKeySetsAreCreatedThenTheFilesAreOwnerOnlyAndHoldNoClearKeyMaterial() throws Exception {
        // S-40, S-42
        new KeyRing(properties(dataDir, null));
        Path dir = dataDir.resolve("keys");

        for (String name : List.of("code.json", "index.json", "data.json", "master.key")) {
            assertThat(Files.getPosixFilePermissions(dir.resolve(name))).as(name)
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        for (String name : KEY_SETS) {
            String json = Files.readString(dir.resolve(name + ".json"));
            assertThat(json).as(name).contains("\"encryptedKeyset\"").doesNotContain("keyData").doesNotContain("\"value\"");
            // Read as a clear key set, the file is refused: the keys are only inside the encrypted part.
            assertThatThrownBy(() -> TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()))
                    .as(name).isInstanceOf(java.security.GeneralSecurityException.class);
        }
        try (var leftovers = Files.list(dir)) {
            assertThat(leftovers.map(path -> path.getFileName().toString()))
                    .as("no temporary files left behind")
                    .containsExactlyInAnyOrder("code.json", "index.json", "data.json", "master.key");
        }
    }

    @Test
    void openWhenASecondKeyRingUsesTheSameDirAndMasterKeyThenItDecryptsAndTagsLikeTheFirst() {
        // S-40, S-42: a restart (or another node of the cluster) must open the same keys.
        String master = newMasterKey();
        KeyRing first = new KeyRing(properties(dataDir, master));
        byte[] sealed = first.encrypt(PLAINTEXT, "destination");
        byte[] tag = first.codeTag(PLAINTEXT);

        KeyRing second = new KeyRing(properties(dataDir, master));

        assertThat(second.decrypt(sealed, "destination")).isEqualTo(PLAINTEXT);
        assertThat(second.codeTagMatches(tag, PLAINTEXT)).isTrue();
        assertThat(second.blindIndex("x")).isEqualTo(first.blindIndex("x"));
        assertThat(dataDir.resolve("keys/master.key")).as("a given master key is not written").doesNotExist();
    }

    @Test
    void openWhenEmbeddedModeGeneratedTheMasterKeyThenASecondKeyRingReusesIt() throws IOException {
        // S-42: embedded mode writes master.key once; later starts read it rather than make another.
        KeyRing first = new KeyRing(properties(dataDir, null));
        String masterFile = Files.readString(dataDir.resolve("keys/master.key"));
        byte[] sealed = first.encrypt(PLAINTEXT, "destination");

        KeyRing second = new KeyRing(properties(dataDir, null));

        assertThat(Files.readString(dataDir.resolve("keys/master.key"))).isEqualTo(masterFile);
        assertThat(Base64.getDecoder().decode(masterFile.strip())).hasSize(32);
        assertThat(second.decrypt(sealed, "destination")).isEqualTo(PLAINTEXT);
    }

    @Test
    void openWhenTheMasterKeyDiffersFromTheOneTheKeySetsWereWrittenWithThenItFailsNamingOtpgateMasterKey()
            throws IOException {
        // S-40, S-42
        new KeyRing(properties(dataDir, newMasterKey()));
        byte[] before = Files.readAllBytes(dataDir.resolve("keys/data.json"));

        assertThatThrownBy(() -> new KeyRing(properties(dataDir, newMasterKey())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OTPGATE_MASTER_KEY")
                .hasMessageContaining("cannot open the key sets");
        assertThat(Files.readAllBytes(dataDir.resolve("keys/data.json")))
                .as("a failed open leaves the key set alone").isEqualTo(before);
    }

    @Test
    void openWhenTheMasterKeyIsNot32BytesThenItIsRefused() {
        // S-42: AES-256 only.
        for (int length : new int[] {16, 24, 31, 33, 64}) {
            byte[] raw = new byte[length];
            new SecureRandom().nextBytes(raw);
            String key = Base64.getEncoder().encodeToString(raw);

            assertThatThrownBy(() -> new KeyRing(properties(dataDir, key)))
                    .as("%d bytes", length)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("32 bytes")
                    .hasMessageContaining("was " + length);
        }
        assertThat(dataDir.resolve("keys/data.json")).as("nothing sealed under a refused key").doesNotExist();
    }

    @Test
    void openWhenTheMasterKeyIsNotBase64ThenItIsRefused() {
        assertThatThrownBy(() -> new KeyRing(properties(dataDir, "not base64!")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("base64");
    }

    @Test
    void openInProductionWhenNoMasterKeyIsGivenThenItRefusesAndGeneratesNone() {
        // S-42: production never generates the master key.
        OtpgateProperties production = new OtpgateProperties(OtpgateProperties.Mode.PRODUCTION, dataDir,
                new OtpgateProperties.DevInbox(false, 1000, java.time.Duration.ofHours(1)), new OtpgateProperties.Limits(16384),
                new OtpgateProperties.Tls(true), null, null, null, null);

        assertThatThrownBy(() -> new KeyRing(production))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OTPGATE_MASTER_KEY");
        assertThat(dataDir.resolve("keys/master.key")).doesNotExist();
    }

    @Test
    void rotateCodeKeyWhenCodesWereTaggedBeforeThenTheyStillMatchAndNewTagsUseTheNewKey_S42() throws Exception {
        String master = newMasterKey();
        KeyRing ring = new KeyRing(properties(dataDir, master));
        KeyRing otherNode = new KeyRing(properties(dataDir, master));
        byte[] data = "otpgate-code-v1|vrf_x|1:1|123456".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] before = ring.codeTag(data);

        long primary = Integer.toUnsignedLong(ring.rotateCodeKey());

        byte[] after = ring.codeTag(data);
        assertThat(keyId(after)).isEqualTo(primary).isNotEqualTo(keyId(before));
        assertThat(primaryKeyId("code")).isEqualTo(primary);
        assertThat(ring.codeTagMatches(before, data)).as("a code sent before the rotation").isTrue();
        assertThat(ring.codeTagMatches(after, data)).isTrue();
        assertThat(otherNode.codeTagMatches(after, data)).as("a node that has not seen the rotation reads it").isTrue();
        assertThat(otherNode.codeTagMatches(after, "otpgate-code-v1|vrf_x|1:1|654321".getBytes(
                java.nio.charset.StandardCharsets.UTF_8))).as("a wrong code stays wrong").isFalse();
    }

    @Test
    void openWhenTheMasterKeyChangesWithThePreviousOneGivenThenEveryKeySetIsRewrappedAndKeepsWorking_S42() throws Exception {
        String oldMaster = newMasterKey();
        KeyRing before = new KeyRing(properties(dataDir, oldMaster));
        byte[] tag = before.codeTag("code".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] index = before.blindIndex("PHONE:+14155550123");
        byte[] sealed = before.encrypt("secret".getBytes(java.nio.charset.StandardCharsets.UTF_8), "ctx");
        String newMaster = newMasterKey();

        assertThatThrownBy(() -> new KeyRing(properties(dataDir, newMaster)))
                .as("a new master key alone opens nothing").isInstanceOf(IllegalStateException.class);

        KeyRing switching = new KeyRing(new OtpgateProperties(OtpgateProperties.Mode.EMBEDDED, dataDir,
                new OtpgateProperties.DevInbox(true, 1000, java.time.Duration.ofHours(1)), new OtpgateProperties.Limits(16384),
                new OtpgateProperties.Tls(false), newMaster, oldMaster, null, null));
        assertThat(switching.codeTagMatches(tag, "code".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isTrue();
        assertThat(switching.blindIndex("PHONE:+14155550123")).isEqualTo(index);
        assertThat(switching.decrypt(sealed, "ctx")).isEqualTo("secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        KeyRing after = new KeyRing(properties(dataDir, newMaster));
        assertThat(after.blindIndex("PHONE:+14155550123")).as("the new master key alone now opens them").isEqualTo(index);
        assertThatThrownBy(() -> new KeyRing(properties(dataDir, oldMaster)))
                .as("the old master key opens nothing any more").isInstanceOf(IllegalStateException.class);
    }

    // --- helpers ---

    // --- S-42: index-key rotation ---

    @Test
    void indexKeyWhenAddedPromotedAndRetiredThenASecondNodeFollowsAndOldIndexesMatchUntilRetired_S42() {
        KeyRing first = new KeyRing(properties(dataDir, null));
        KeyRing second = new KeyRing(properties(dataDir, null));
        byte[] before = first.blindIndex("PHONE:+14155550123");
        assertThat(first.blindIndexes("PHONE:+14155550123")).singleElement().isEqualTo(before);

        int added = first.addIndexKey();
        second.refreshIndexKeysNow();
        for (KeyRing node : List.of(first, second)) {
            assertThat(node.indexKeyIds()).hasSize(2).last().isEqualTo(added);
            assertThat(node.blindIndex("PHONE:+14155550123")).as("the primary still writes").isEqualTo(before);
            List<byte[]> indexes = node.blindIndexes("PHONE:+14155550123");
            assertThat(indexes).hasSize(2);
            assertThat(indexes.get(0)).isEqualTo(before);
            assertThat(IndexKeyUsers.keyIdOf(indexes.get(1))).isEqualTo(added);
        }

        first.promoteIndexKey(added);
        second.refreshIndexKeysNow();
        for (KeyRing node : List.of(first, second)) {
            byte[] now = node.blindIndex("PHONE:+14155550123");
            assertThat(IndexKeyUsers.keyIdOf(now)).isEqualTo(added);
            assertThat(node.blindIndexes("PHONE:+14155550123")).hasSize(2).anySatisfy(index -> assertThat(index).isEqualTo(before));
        }
        assertThat(new KeyRing(properties(dataDir, null)).blindIndex("PHONE:+14155550123"))
                .as("a restarted node").isEqualTo(first.blindIndex("PHONE:+14155550123"));

        int previous = IndexKeyUsers.keyIdOf(before);
        assertThatThrownBy(() -> first.retireIndexKey(added)).hasMessageContaining("primary");
        first.retireIndexKey(previous);
        second.refreshIndexKeysNow();
        for (KeyRing node : List.of(first, second)) {
            assertThat(node.indexKeyIds()).containsExactly(added);
            assertThat(node.blindIndexes("PHONE:+14155550123")).singleElement()
                    .satisfies(index -> assertThat(index).isNotEqualTo(before));
        }
    }

    static OtpgateProperties properties(Path dataDir, String masterKey) {
        return new OtpgateProperties(OtpgateProperties.Mode.EMBEDDED, dataDir,
                new OtpgateProperties.DevInbox(true, 1000, java.time.Duration.ofHours(1)), new OtpgateProperties.Limits(16384),
                new OtpgateProperties.Tls(false), masterKey, null, null, null);
    }

    private static String newMasterKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Bytes 1–4 of a Tink-prefixed output: the id of the key that made it, unsigned. */
    private static long keyId(byte[] output) {
        return ByteBuffer.wrap(output, 1, 4).getInt() & 0xffffffffL;
    }

    /** The primary key id from the key set's clear metadata (keysetInfo), which carries no key material. */
    private long primaryKeyId(String keySet) throws IOException {
        JsonNode json = JsonMapper.builder().build()
                .readTree(Files.readString(dataDir.resolve("keys/" + keySet + ".json")));
        return json.get("keysetInfo").get("primaryKeyId").asLong();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
