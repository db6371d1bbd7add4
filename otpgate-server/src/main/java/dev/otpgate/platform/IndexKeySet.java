package dev.otpgate.platform;

import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Mac;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.mac.PredefinedMacParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index key set (keyed blind index of destinations, S-43), {@code <data-dir>/keys/index.json}: the primary key
 * that new rows are written under, and while a rotation is under way a second key (being introduced or being
 * retired) that look-ups and limits also count under. Another node's change is picked up when the file's
 * modification time moves, looked at no more often than every {@link #REFRESH}.
 */
final class IndexKeySet {

    private static final Logger log = LoggerFactory.getLogger(IndexKeySet.class);

    private static final String NAME = "index";

    /** How often a node looks whether another node changed the index key set. */
    static final Duration REFRESH = Duration.ofSeconds(10);

    private final KeySetFiles files;
    private volatile IndexKeys keys;
    private volatile long nextCheck;

    IndexKeySet(KeySetFiles files) throws GeneralSecurityException, IOException {
        this.files = files;
        use(load());
    }

    /** The index of {@code normalised} under the primary index key. */
    byte[] blindIndex(String normalised) {
        return KeyRing.compute(current().primary(), normalised.getBytes(StandardCharsets.UTF_8));
    }

    /** The indexes of {@code normalised} under every enabled index key, the primary's first. */
    List<byte[]> blindIndexes(String normalised) {
        IndexKeys current = current();
        byte[] data = normalised.getBytes(StandardCharsets.UTF_8);
        if (current.others().isEmpty()) {
            return List.of(KeyRing.compute(current.primary(), data));
        }
        List<byte[]> out = new ArrayList<>(1 + current.others().size());
        out.add(KeyRing.compute(current.primary(), data));
        for (Mac other : current.others()) {
            out.add(KeyRing.compute(other, data));
        }
        return out;
    }

    /** The primary key's id first, then the other keys' ids. */
    List<Integer> ids() {
        return current().ids();
    }

    /** Adds a new index key that is not yet primary; returns its id. */
    synchronized int add() {
        return change(handle -> {
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle);
            KeysetHandle.Builder.Entry entry = KeysetHandle.generateEntryFromParameters(
                    PredefinedMacParameters.HMAC_SHA256_256BITTAG).withRandomId();
            builder.addEntry(entry);
            return builder.build();
        }, "added a new index key").getAt(keys.handle().size() - 1).getId();
    }

    /** Makes the index key {@code id} primary. */
    synchronized void promote(int id) {
        change(handle -> {
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
    synchronized void retire(int id) {
        change(handle -> {
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

    /** Reads the index key set now, whatever the time since the last look: for tests of a second node. */
    void refreshNow() {
        nextCheck = System.nanoTime() - 1;
        current();
    }

    private interface KeysetChange {
        KeysetHandle apply(KeysetHandle handle) throws GeneralSecurityException;
    }

    /** Applies {@code change} to the key set as stored now (another node may have changed it) and writes it. */
    private KeysetHandle change(KeysetChange change, String what) {
        try {
            use(load());
            KeysetHandle changed = change.apply(keys.handle());
            files.write(NAME, changed);
            use(changed);
            log.info("Index key set: {}; keys now {}", what, keys.ids().stream().map(Integer::toUnsignedString).toList());
            return changed;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot change the index key set", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the index key set", e);
        }
    }

    /** The index key set, read again when its file's contents changed since the last look (at most every 10 s). */
    private IndexKeys current() {
        long now = System.nanoTime();
        if (now - nextCheck > 0) {
            refresh(now);
        }
        return keys;
    }

    private synchronized void refresh(long now) {
        if (now - nextCheck <= 0) {
            return;
        }
        nextCheck = now + REFRESH.toNanos();
        try {
            if (files.fingerprint(NAME) != keys.fingerprint()) {
                use(load());
            }
        } catch (GeneralSecurityException | IOException e) {
            log.warn("Cannot read the index key set again; keeping the one in memory: {}", e.getMessage());
        }
    }

    private KeysetHandle load() throws GeneralSecurityException, IOException {
        return files.load(NAME, PredefinedMacParameters.HMAC_SHA256_256BITTAG);
    }

    /** One MAC per key, the primary's first; Tink's MAC primitive computes with the primary only. */
    private record IndexKeys(KeysetHandle handle, Mac primary, List<Mac> others, List<Integer> ids, long fingerprint) {}

    private void use(KeysetHandle handle) throws GeneralSecurityException, IOException {
        Mac primary = handle.getPrimitive(RegistryConfiguration.get(), Mac.class);
        List<Mac> others = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        ids.add(handle.getPrimary().getId());
        for (int i = 0; i < handle.size(); i++) {
            KeysetHandle.Entry entry = handle.getAt(i);
            if (entry.isPrimary() || entry.getStatus() != KeyStatus.ENABLED) {
                continue;
            }
            others.add(KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.importKey(entry.getKey()).withFixedId(entry.getId()).makePrimary())
                    .build().getPrimitive(RegistryConfiguration.get(), Mac.class));
            ids.add(entry.getId());
        }
        this.keys = new IndexKeys(handle, primary, List.copyOf(others), List.copyOf(ids), files.fingerprint(NAME));
    }
}
