package dev.otpgate.platform;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.mac.MacConfig;
import com.google.crypto.tink.mac.PredefinedMacParameters;
import com.google.crypto.tink.util.SecretBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The key sets otpgate uses, as Google Tink primitives: the code key (HMAC-SHA256 over codes, S-40), the index
 * key (keyed blind index of destinations, S-43) and the data key (AES-256-GCM for destinations and queued
 * messages, S-42). Each key set lives in {@code <data-dir>/keys/<name>.json}, encrypted under the master key;
 * Tink puts a key id on every tag and ciphertext, so a rotated key set keeps verifying and decrypting old values.
 *
 * <p>The master key is 32 bytes, base64, from {@code OTPGATE_MASTER_KEY}; in embedded mode only, it is
 * generated once into {@code <data-dir>/keys/master.key} (mode 600). Nodes of one cluster share the key sets.
 * This class deliberately offers no way to read raw key material. Calls from virtual threads run on
 * {@link CryptoThreads}, where Tink's per-thread ciphers and random sources last.
 */
@Component
public class KeyRing {

    private static final Logger log = LoggerFactory.getLogger(KeyRing.class);

    private static final String DATA = "data";

    private static final String CODE = "code";

    private final Path dir;
    private final Aead master;
    private final Aead previousMaster;
    private final List<String> rewrapped = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final String INDEX = "index";
    /** How often a node looks whether another node changed the index key set. */
    static final java.time.Duration INDEX_REFRESH = java.time.Duration.ofSeconds(10);

    private volatile IndexKeys indexKeys;
    private volatile long nextIndexCheck;
    private volatile KeysetHandle codeKeys;
    private volatile Mac codeMac;
    private volatile KeysetHandle dataKeys;
    private volatile Aead dataAead;

    /** Opens the key sets under {@code <data-dir>/keys}, generating them (and, in embedded mode, the master key) on first use. */
    public KeyRing(OtpgateProperties properties) {
        try {
            AeadConfig.register();
            MacConfig.register();
            this.dir = properties.dataDir().resolve("keys");
            Files.createDirectories(dir);
            this.master = masterKey(properties, dir);
            Aead previous = properties.masterKeyPrevious() == null || properties.masterKeyPrevious().isBlank()
                    ? null : aead(properties.masterKeyPrevious(), "otpgate.master-key-previous");
            this.previousMaster = previous;
            // A master key change: a key set still written under the previous master key is re-wrapped first.
            for (String name : List.of(CODE, "index", DATA)) {
                if (rewrapIfNeeded(dir, name, master, previous)) {
                    rewrapped.add(name);
                }
            }
            useCodeKeys(load(dir, CODE, master, PredefinedMacParameters.HMAC_SHA256_256BITTAG));
            useIndexKeys(load(dir, INDEX, master, PredefinedMacParameters.HMAC_SHA256_256BITTAG));
            useDataKeys(load(dir, DATA, master, PredefinedAeadParameters.AES256_GCM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open the key sets: " + e.getMessage()
                    + " (is OTPGATE_MASTER_KEY the key these key sets were written with?)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the key sets under " + properties.dataDir(), e);
        }
    }

    /** The directory of the key set files, and the master key that wraps them: for {@link JwtKeySet}. */
    Path directory() {
        return dir;
    }

    Aead master() {
        return master;
    }

    /** The previous master key while a master key change is under way, otherwise {@code null}. */
    Aead previousMaster() {
        return previousMaster;
    }

    /** HMAC-SHA256 under the code key; the tag starts with the 5-byte id of the key that made it. */
    public byte[] codeTag(byte[] data) {
        return compute(codeMac, data);
    }

    /**
     * True when {@code tag} is the code key's tag of {@code data}. The common case compares with
     * {@link MessageDigest#isEqual} (constant time, S-13); a tag made under an earlier primary key after a
     * rotation is verified by Tink, which also compares in constant time.
     */
    public boolean codeTagMatches(byte[] tag, byte[] data) {
        byte[] expected = compute(codeMac, data);
        if (MessageDigest.isEqual(expected, tag)) {
            return true;
        }
        if (tag.length > 5 && !Arrays.equals(expected, 0, 5, tag, 0, 5)) {
            if (!knownCodeKey(tag)) {
                // Made under a key another node added when it rotated the code key: read the key set again.
                try {
                    reloadCodeKeys();
                } catch (GeneralSecurityException | IOException e) {
                    return false;
                }
            }
            Mac current = codeMac;
            try {
                CryptoThreads.run(() -> {
                    current.verifyMac(tag, data);
                    return null;
                });
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        }
        return false;
    }

    /** True when the key id in a tag's Tink prefix is one of this node's code keys. */
    private boolean knownCodeKey(byte[] tag) {
        int id = java.nio.ByteBuffer.wrap(tag, 1, 4).getInt();
        for (int i = 0; i < codeKeys.size(); i++) {
            if (codeKeys.getAt(i).getId() == id) {
                return true;
            }
        }
        return false;
    }

    /**
     * The keyed blind index of a normalised value under the primary index key: equal inputs give equal indexes;
     * it cannot be reversed. What new rows, buckets and records are written with.
     */
    public byte[] blindIndex(String normalised) {
        return compute(indexKeys().primary(), normalised.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The blind indexes of a normalised value under every index key in play, the primary's first: one value
     * normally, two while an index-key rotation is under way (the key being introduced or the one being retired).
     * Look-ups match any of them; limits and lockouts count under each.
     */
    public List<byte[]> blindIndexes(String normalised) {
        IndexKeys current = indexKeys();
        byte[] data = normalised.getBytes(StandardCharsets.UTF_8);
        if (current.others().isEmpty()) {
            return List.of(compute(current.primary(), data));
        }
        List<byte[]> out = new java.util.ArrayList<>(1 + current.others().size());
        out.add(compute(current.primary(), data));
        for (Mac other : current.others()) {
            out.add(compute(other, data));
        }
        return out;
    }

    /** The index key set as this node sees it: the primary key's id first, then the other keys' ids. */
    public List<Integer> indexKeyIds() {
        return indexKeys().ids();
    }

    /**
     * Adds a new index key that is not yet primary: every node computes look-ups and limits under it as well
     * from its next refresh on ({@link #INDEX_REFRESH}), while new rows are still written under the primary.
     * Returns the new key's id.
     */
    public synchronized int addIndexKey() {
        return changeIndexKeys(handle -> {
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
            KeysetHandle.Builder.Entry entry = KeysetHandle.generateEntryFromParameters(
                    PredefinedMacParameters.HMAC_SHA256_256BITTAG).withRandomId();
            builder.addEntry(entry);
            return builder.build();
        }, "added a new index key").getAt(indexKeys.handle().size() - 1).getId();
    }

    /** Makes the index key {@code id} primary: new rows are written under it. */
    public synchronized void promoteIndexKey(int id) {
        changeIndexKeys(handle -> {
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
            for (int i = 0; i < builder.size(); i++) {
                if (handle.getAt(i).getId() == id) {
                    builder.getAt(i).makePrimary();
                }
            }
            return builder.build();
        }, "made index key " + Integer.toUnsignedString(id) + " primary");
    }

    /** Removes the index key {@code id}, which must not be primary. */
    public synchronized void retireIndexKey(int id) {
        changeIndexKeys(handle -> {
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
            for (int i = builder.size() - 1; i >= 0; i--) {
                if (handle.getAt(i).getId() == id) {
                    if (builder.getAt(i).isPrimary()) {
                        throw new IllegalStateException("the primary index key cannot be retired");
                    }
                    builder.deleteAt(i);
                }
            }
            return builder.build();
        }, "retired index key " + Integer.toUnsignedString(id));
    }

    private interface KeysetChange {
        KeysetHandle apply(KeysetHandle handle) throws GeneralSecurityException;
    }

    private KeysetHandle changeIndexKeys(KeysetChange change, String what) {
        try {
            useIndexKeys(load(dir, INDEX, master, PredefinedMacParameters.HMAC_SHA256_256BITTAG));
            KeysetHandle changed = change.apply(indexKeys.handle());
            replace(dir.resolve(INDEX + ".json"), TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(changed, master,
                    keysetContext(INDEX)));
            useIndexKeys(changed);
            log.info("Index key set: {}; keys now {}", what, indexKeys.ids().stream().map(Integer::toUnsignedString).toList());
            return changed;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot change the index key set", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the index key set", e);
        }
    }

    /** The index key set, read again when its file changed since the last look (at most every 10 s). */
    private IndexKeys indexKeys() {
        long now = System.nanoTime();
        if (now - nextIndexCheck > 0) {
            refreshIndexKeys(now);
        }
        return indexKeys;
    }

    private synchronized void refreshIndexKeys(long now) {
        if (now - nextIndexCheck <= 0) {
            return;
        }
        nextIndexCheck = now + INDEX_REFRESH.toNanos();
        try {
            Path file = dir.resolve(INDEX + ".json");
            long modified = Files.getLastModifiedTime(file).toMillis();
            if (modified != indexKeys.modified()) {
                useIndexKeys(load(dir, INDEX, master, PredefinedMacParameters.HMAC_SHA256_256BITTAG));
            }
        } catch (GeneralSecurityException | IOException e) {
            log.warn("Cannot read the index key set again; keeping the one in memory: {}", e.getMessage());
        }
    }

    /** Reads the index key set now, whatever the time since the last look: for tests of a second node. */
    void refreshIndexKeysNow() {
        nextIndexCheck = System.nanoTime() - 1;
        indexKeys();
    }

    /** One MAC per key, the primary's first; Tink's MAC primitive computes with the primary only. */
    private record IndexKeys(KeysetHandle handle, Mac primary, List<Mac> others, List<Integer> ids, long modified) {}

    private void useIndexKeys(KeysetHandle handle) throws GeneralSecurityException, IOException {
        Mac primary = handle.getPrimitive(RegistryConfiguration.get(), Mac.class);
        List<Mac> others = new java.util.ArrayList<>();
        List<Integer> ids = new java.util.ArrayList<>();
        ids.add(handle.getPrimary().getId());
        for (int i = 0; i < handle.size(); i++) {
            KeysetHandle.Entry entry = handle.getAt(i);
            if (entry.isPrimary() || entry.getStatus() != com.google.crypto.tink.KeyStatus.ENABLED) {
                continue;
            }
            others.add(KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.importKey(entry.getKey()).withFixedId(entry.getId()).makePrimary())
                    .build().getPrimitive(RegistryConfiguration.get(), Mac.class));
            ids.add(entry.getId());
        }
        long modified = Files.getLastModifiedTime(dir.resolve(INDEX + ".json")).toMillis();
        this.indexKeys = new IndexKeys(handle, primary, List.copyOf(others), List.copyOf(ids), modified);
    }

    /** AES-256-GCM with a fresh nonce; {@code context} is bound as associated data. */
    public byte[] encrypt(byte[] plaintext, String context) {
        try {
            Aead aead = dataAead;
            return CryptoThreads.run(() -> aead.encrypt(plaintext, context.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    public byte[] decrypt(byte[] ciphertext, String context) {
        byte[] associatedData = context.getBytes(StandardCharsets.UTF_8);
        try {
            Aead aead = dataAead;
            return CryptoThreads.run(() -> aead.decrypt(ciphertext, associatedData));
        } catch (GeneralSecurityException e) {
            // Another node may have rotated the data key: read the key set again once before giving up.
            try {
                reloadDataKeys();
                Aead reloaded = dataAead;
                return CryptoThreads.run(() -> reloaded.decrypt(ciphertext, associatedData));
            } catch (GeneralSecurityException | IOException again) {
                throw new IllegalStateException("decryption failed: wrong key or tampered data");
            }
        }
    }

    /** The id of the data key that encrypts new values; Tink writes it in the first bytes of each ciphertext. */
    public int dataPrimaryKeyId() {
        return dataKeys.getPrimary().getId();
    }

    /**
     * Rotates the data key (S-42): a new AES-256-GCM key becomes primary and the old ones stay, so existing
     * ciphertexts keep decrypting until re-encrypted. Other nodes pick the new key set up when they first meet a
     * ciphertext they cannot decrypt, or at restart. Returns the new primary key id.
     */
    public synchronized int rotateDataKey() {
        try {
            reloadDataKeys();
            KeysetHandle rotated = rotated(dataKeys, DATA, PredefinedAeadParameters.AES256_GCM);
            useDataKeys(rotated);
            log.info("Rotated the data key; new primary key id {}", rotated.getPrimary().getId());
            return rotated.getPrimary().getId();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot rotate the data key", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rotated data key set", e);
        }
    }

    /**
     * Rotates the code key (S-42): a new HMAC key tags new codes; the old ones stay in the set, so codes sent
     * before keep checking until they expire (at most {@code code_ttl_seconds} later). Another node that meets a
     * tag under a key it does not know reads the key set again. Returns the new primary key id.
     */
    public synchronized int rotateCodeKey() {
        try {
            reloadCodeKeys();
            KeysetHandle rotated = rotated(codeKeys, CODE, PredefinedMacParameters.HMAC_SHA256_256BITTAG);
            useCodeKeys(rotated);
            log.info("Rotated the code key; new primary key id {}", rotated.getPrimary().getId());
            return rotated.getPrimary().getId();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot rotate the code key", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rotated code key set", e);
        }
    }

    /** {@code current} with a new primary key of {@code parameters}, written over {@code <name>.json} atomically. */
    private KeysetHandle rotated(KeysetHandle current, String name, com.google.crypto.tink.Parameters parameters)
            throws GeneralSecurityException, IOException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(current);
        builder.addEntry(KeysetHandle.generateEntryFromParameters(parameters).withRandomId().makePrimary());
        KeysetHandle rotated = builder.build();
        replace(dir.resolve(name + ".json"), TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(rotated, master,
                keysetContext(name)));
        return rotated;
    }

    static void replace(Path file, String content) throws IOException {
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        SelfSignedTls.restrictToOwner(temp);
        Files.writeString(temp, content);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private synchronized void reloadDataKeys() throws GeneralSecurityException, IOException {
        useDataKeys(load(dir, DATA, master, PredefinedAeadParameters.AES256_GCM));
    }

    private synchronized void reloadCodeKeys() throws GeneralSecurityException, IOException {
        useCodeKeys(load(dir, CODE, master, PredefinedMacParameters.HMAC_SHA256_256BITTAG));
    }

    private void useCodeKeys(KeysetHandle handle) throws GeneralSecurityException {
        this.codeMac = handle.getPrimitive(RegistryConfiguration.get(), Mac.class);
        this.codeKeys = handle;
    }

    /**
     * Re-wraps {@code <name>.json} under {@code master} when it opens only under {@code previous}: the switch to a
     * new master key. Each node does it on its start; a key set already re-wrapped by another node opens as is.
     */
    private static boolean rewrapIfNeeded(Path dir, String name, Aead master, Aead previous)
            throws GeneralSecurityException, IOException {
        Path file = dir.resolve(name + ".json");
        if (previous == null || !Files.exists(file)) {
            return false;
        }
        String stored = Files.readString(file);
        try {
            TinkJsonProtoKeysetFormat.parseEncryptedKeyset(stored, master, keysetContext(name));
            return false;
        } catch (GeneralSecurityException notYet) {
            // Still under the previous master key, or under neither (which the parse below reports).
        }
        KeysetHandle handle = TinkJsonProtoKeysetFormat.parseEncryptedKeyset(stored, previous, keysetContext(name));
        replace(file, TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(handle, master, keysetContext(name)));
        log.info("Re-wrapped the {} key set under the new master key", name);
        return true;
    }

    /**
     * The key sets this node re-wrapped under a new master key when it started: empty unless the master key
     * changed and this node was the first to open them since.
     */
    public List<String> rewrappedKeySets() {
        return List.copyOf(rewrapped);
    }

    /**
     * Another key set under the same master key, {@code <data-dir>/keys/<name>.json}, generated on first use and
     * re-wrapped on a master key change like the others: for key sets that other classes of this module own.
     */
    KeysetHandle keySet(String name, com.google.crypto.tink.Parameters parameters)
            throws GeneralSecurityException, IOException {
        if (rewrapIfNeeded(dir, name, master, previousMaster)) {
            rewrapped.add(name);
        }
        return load(dir, name, master, parameters);
    }

    private void useDataKeys(KeysetHandle handle) throws GeneralSecurityException {
        this.dataAead = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        this.dataKeys = handle;
    }

    private static byte[] keysetContext(String name) {
        return ("otpgate-keyset:" + name).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] compute(Mac mac, byte[] data) {
        try {
            return CryptoThreads.run(() -> mac.computeMac(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MAC computation failed", e);
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

    private static KeysetHandle load(Path dir, String name, Aead master, com.google.crypto.tink.Parameters parameters)
            throws GeneralSecurityException, IOException {
        Path file = dir.resolve(name + ".json");
        byte[] associatedData = keysetContext(name);
        if (!Files.exists(file)) {
            KeysetHandle fresh = KeysetHandle.generateNew(parameters);
            writeOnce(file, TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(fresh, master, associatedData));
        }
        return TinkJsonProtoKeysetFormat.parseEncryptedKeyset(Files.readString(file), master, associatedData);
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
}
