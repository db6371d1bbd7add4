package dev.otpgate.platform;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.mac.MacConfig;
import com.google.crypto.tink.util.SecretBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key set files under {@code <data-dir>/keys}: each {@code <name>.json} is a Tink key set encrypted under the
 * master key with {@code otpgate-keyset:<name>} as associated data. Generates a key set on first use (write-once,
 * so two nodes starting together keep one), replaces one atomically after a change, and re-wraps one still under
 * the previous master key when the master key changes.
 *
 * <p>The master key is 32 bytes, base64, from {@code OTPGATE_MASTER_KEY}; in embedded mode only, it is
 * generated once into {@code <data-dir>/keys/master.key} (mode 600).
 */
final class KeySetFiles {

    private static final Logger log = LoggerFactory.getLogger(KeySetFiles.class);

    private final Path dir;
    private final Aead master;
    private final Aead previousMaster;
    private final List<String> rewrapped = new CopyOnWriteArrayList<>();

    KeySetFiles(OtpgateProperties properties) throws GeneralSecurityException, IOException {
        AeadConfig.register();
        MacConfig.register();
        this.dir = properties.dataDir().resolve("keys");
        Files.createDirectories(dir);
        this.master = masterKey(properties, dir);
        this.previousMaster = properties.masterKeyPrevious() == null || properties.masterKeyPrevious().isBlank()
                ? null : aead(properties.masterKeyPrevious(), "otpgate.master-key-previous");
    }

    /** The directory of the key set files. */
    Path directory() {
        return dir;
    }

    /** The master key that wraps the key set files. */
    Aead master() {
        return master;
    }

    /** The previous master key while a master key change is under way, otherwise {@code null}. */
    Aead previousMaster() {
        return previousMaster;
    }

    /** The key sets this node re-wrapped under a new master key when it opened them. */
    List<String> rewrapped() {
        return List.copyOf(rewrapped);
    }

    /** {@code <name>.json}, re-wrapped first when it is still under the previous master key, generated on first use. */
    KeysetHandle keySet(String name, Parameters parameters) throws GeneralSecurityException, IOException {
        rewrap(name);
        return load(name, parameters);
    }

    /** {@code <name>.json} as stored now, generated with {@code parameters} when there is none yet. */
    KeysetHandle load(String name, Parameters parameters) throws GeneralSecurityException, IOException {
        Path file = file(name);
        byte[] associatedData = keysetContext(name);
        if (!Files.exists(file)) {
            KeysetHandle fresh = KeysetHandle.generateNew(parameters);
            writeOnce(file, TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(fresh, master, associatedData));
        }
        return TinkJsonProtoKeysetFormat.parseEncryptedKeyset(Files.readString(file), master, associatedData);
    }

    /** Writes {@code handle} over {@code <name>.json} atomically, under the master key. */
    void write(String name, KeysetHandle handle) throws GeneralSecurityException, IOException {
        replace(file(name), TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(handle, master, keysetContext(name)));
    }

    /** A digest of {@code <name>.json} as stored: how a node notices another node's change. */
    long fingerprint(String name) throws IOException {
        // The contents, not the modification time: two writes within the file system's time granularity (a
        // rotation and its promotion, back to back) would otherwise look like no change to another node.
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file(name)));
            return java.nio.ByteBuffer.wrap(digest).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Re-wraps {@code <name>.json} under the master key when it opens only under the previous one: the switch to a
     * new master key. Each node does it on its start; a key set already re-wrapped by another node opens as is.
     */
    void rewrap(String name) throws GeneralSecurityException, IOException {
        Path file = file(name);
        if (previousMaster == null || !Files.exists(file)) {
            return;
        }
        String stored = Files.readString(file);
        try {
            TinkJsonProtoKeysetFormat.parseEncryptedKeyset(stored, master, keysetContext(name));
            return;
        } catch (GeneralSecurityException notYet) {
            // Still under the previous master key, or under neither (which the parse below reports).
        }
        KeysetHandle handle = TinkJsonProtoKeysetFormat.parseEncryptedKeyset(stored, previousMaster, keysetContext(name));
        replace(file, TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(handle, master, keysetContext(name)));
        log.info("Re-wrapped the {} key set under the new master key", name);
        rewrapped.add(name);
    }

    private Path file(String name) {
        return dir.resolve(name + ".json");
    }

    private static byte[] keysetContext(String name) {
        return ("otpgate-keyset:" + name).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code file} atomically (a temporary file of mode 600 renamed over it). */
    static void replace(Path file, String content) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        SelfSignedTls.restrictToOwner(temp);
        Files.writeString(temp, content);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Creates {@code file} atomically; when another node got there first, its file is kept. */
    static void writeOnce(Path file, String content) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        SelfSignedTls.restrictToOwner(temp);
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        try {
            // A hard link is created atomically and fails when the name exists, unlike a rename.
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException e) {
            // Another node or process wrote it first: keep theirs.
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Aead masterKey(OtpgateProperties properties, Path dir) throws GeneralSecurityException, IOException {
        String encoded = properties.masterKey();
        if (encoded == null || encoded.isBlank()) {
            if (properties.production()) {
                throw new IllegalStateException("production mode needs OTPGATE_MASTER_KEY");
            }
            Path file = dir.resolve("master.key");
            if (!Files.exists(file)) {
                byte[] raw = new byte[32];
                new SecureRandom().nextBytes(raw);
                writeOnce(file, Base64.getEncoder().encodeToString(raw));
                log.warn("Generated a master key in {} (embedded mode). Production takes it from OTPGATE_MASTER_KEY.", file);
            }
            encoded = Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        return aead(encoded, "the master key");
    }

    /** An AES-256-GCM primitive over a base64 master key; {@code what} names it in refusals. */
    private static Aead aead(String encoded, String what) throws GeneralSecurityException {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(what + " must be base64 (32 random bytes)");
        }
        if (raw.length != 32) {
            throw new IllegalStateException(what + " must be 32 bytes, was " + raw.length);
        }
        AesGcmParameters parameters = AesGcmParameters.builder()
                .setKeySizeBytes(32).setIvSizeBytes(12).setTagSizeBytes(16)
                .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                .build();
        AesGcmKey key = AesGcmKey.builder()
                .setParameters(parameters)
                .setKeyBytes(SecretBytes.copyFrom(raw, InsecureSecretKeyAccess.get()))
                .build();
        Arrays.fill(raw, (byte) 0);
        return KeysetHandle.newBuilder()
                .addEntry(KeysetHandle.importKey(key).withRandomId().makePrimary())
                .build()
                .getPrimitive(RegistryConfiguration.get(), Aead.class);
    }
}
