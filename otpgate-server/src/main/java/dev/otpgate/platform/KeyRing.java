package dev.otpgate.platform;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.mac.PredefinedMacParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The key sets otpgate uses, as Google Tink primitives: the code key (HMAC-SHA256 over codes, S-40), the index
 * key (keyed blind index of destinations, S-43, kept by {@link IndexKeySet}) and the data key (AES-256-GCM for
 * destinations and queued messages, S-42). Each key set lives in {@code <data-dir>/keys/<name>.json}, encrypted
 * under the master key ({@link KeySetFiles}); Tink puts a key id on every tag and ciphertext, so a rotated key set
 * keeps verifying and decrypting old values.
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

    private final KeySetFiles files;
    private final IndexKeySet index;
    private volatile KeysetHandle codeKeys;
    private volatile Mac codeMac;
    private volatile KeysetHandle dataKeys;
    private volatile Aead dataAead;

    /** Opens the key sets under {@code <data-dir>/keys}, generating them (and, in embedded mode, the master key) on first use. */
    public KeyRing(OtpgateProperties properties) {
        try {
            this.files = new KeySetFiles(properties);
            // A master key change: a key set still written under the previous master key is re-wrapped first.
            for (String name : List.of(CODE, "index", DATA)) {
                files.rewrap(name);
            }
            useCodeKeys(files.load(CODE, PredefinedMacParameters.HMAC_SHA256_256BITTAG));
            this.index = new IndexKeySet(files);
            useDataKeys(files.load(DATA, PredefinedAeadParameters.AES256_GCM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open the key sets: " + e.getMessage()
                    + " (is OTPGATE_MASTER_KEY the key these key sets were written with?)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the key sets under " + properties.dataDir(), e);
        }
    }

    /** The key set files and the master key that wraps them: for {@link JwtKeySet}. */
    KeySetFiles files() {
        return files;
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
        return index.blindIndex(normalised);
    }

    /**
     * The blind indexes of a normalised value under every index key in play, the primary's first: one value
     * normally, two while an index-key rotation is under way (the key being introduced or the one being retired).
     * Look-ups match any of them; limits and lockouts count under each.
     */
    public List<byte[]> blindIndexes(String normalised) {
        return index.blindIndexes(normalised);
    }

    /** The index key set as this node sees it: the primary key's id first, then the other keys' ids. */
    public List<Integer> indexKeyIds() {
        return index.ids();
    }

    /**
     * Adds a new index key that is not yet primary: every node computes look-ups and limits under it as well
     * from its next refresh on ({@link IndexKeySet#REFRESH}), while new rows are still written under the primary.
     * Returns the new key's id.
     */
    public int addIndexKey() {
        return index.add();
    }

    /** Makes the index key {@code id} primary: new rows are written under it. */
    public void promoteIndexKey(int id) {
        index.promote(id);
    }

    /** Removes the index key {@code id}, which must not be primary. */
    public void retireIndexKey(int id) {
        index.retire(id);
    }

    /** Reads the index key set now, whatever the time since the last look: for tests of a second node. */
    void refreshIndexKeysNow() {
        index.refreshNow();
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
    private KeysetHandle rotated(KeysetHandle current, String name, Parameters parameters)
            throws GeneralSecurityException, IOException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(current);
        builder.addEntry(KeysetHandle.generateEntryFromParameters(parameters).withRandomId().makePrimary());
        KeysetHandle rotated = builder.build();
        files.write(name, rotated);
        return rotated;
    }

    private synchronized void reloadDataKeys() throws GeneralSecurityException, IOException {
        useDataKeys(files.load(DATA, PredefinedAeadParameters.AES256_GCM));
    }

    private synchronized void reloadCodeKeys() throws GeneralSecurityException, IOException {
        useCodeKeys(files.load(CODE, PredefinedMacParameters.HMAC_SHA256_256BITTAG));
    }

    private void useCodeKeys(KeysetHandle handle) throws GeneralSecurityException {
        this.codeMac = handle.getPrimitive(RegistryConfiguration.get(), Mac.class);
        this.codeKeys = handle;
    }

    /**
     * The key sets this node re-wrapped under a new master key when it started: empty unless the master key
     * changed and this node was the first to open them since.
     */
    public List<String> rewrappedKeySets() {
        return files.rewrapped();
    }

    /**
     * Another key set under the same master key, {@code <data-dir>/keys/<name>.json}, generated on first use and
     * re-wrapped on a master key change like the others: for key sets that other classes of this module own.
     */
    KeysetHandle keySet(String name, Parameters parameters) throws GeneralSecurityException, IOException {
        return files.keySet(name, parameters);
    }

    private void useDataKeys(KeysetHandle handle) throws GeneralSecurityException {
        this.dataAead = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        this.dataKeys = handle;
    }

    /** {@code mac} over {@code data}; Tink prefixes the tag with the 5-byte id of the key. */
    static byte[] compute(Mac mac, byte[] data) {
        try {
            return CryptoThreads.run(() -> mac.computeMac(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MAC computation failed", e);
        }
    }
}
