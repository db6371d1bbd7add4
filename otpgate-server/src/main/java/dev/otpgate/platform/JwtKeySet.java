package dev.otpgate.platform;

import com.google.crypto.tink.Aead;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The JWT signing key set: RSA-2048 keys that sign OAuth 2.0 access tokens (RS256), kept in
 * {@code <data-dir>/keys/jwt.json} encrypted under the master key like the other key sets of {@link KeyRing}.
 *
 * <p>One key signs (the primary). A rotation makes a new primary and retires the old one; a retired key stays
 * published (and accepted) until every token it can have signed has expired: the longest token lifetime
 * ({@link #MAX_TOKEN_LIFETIME}), plus the interval at which other nodes read the set again (they may sign with
 * the old key until they do), plus a margin for clock differences. After that it is withdrawn: no longer
 * published, and a token it signed is refused. Withdrawn keys are dropped from the file at the next rotation.
 *
 * <p>Other nodes of a cluster read the file again every {@link #REREAD_INTERVAL}, and at once (at most once a
 * second) when they meet a token under a key id they do not know. Checking a token reads nothing but memory.
 * This class does not decide what a token may do; it only holds keys.
 */
@Component
public class JwtKeySet implements JWKSource<SecurityContext> {

    private static final Logger log = LoggerFactory.getLogger(JwtKeySet.class);

    /** The longest access token lifetime any client may have. */
    public static final Duration MAX_TOKEN_LIFETIME = Duration.ofHours(1);
    /** How often a node reads the key set file again. */
    public static final Duration REREAD_INTERVAL = Duration.ofSeconds(10);
    /** Allowance for clocks that differ between nodes and callers. */
    public static final Duration WITHDRAWAL_MARGIN = Duration.ofMinutes(1);

    private static final Duration UNKNOWN_KEY_REREAD = Duration.ofSeconds(1);
    private static final Object ROTATING = new Object();
    private static final String NAME = "jwt";
    private static final byte[] CONTEXT = ("otpgate-keyset:" + NAME).getBytes(StandardCharsets.UTF_8);

    /** A key of the set: {@code retiredAt} is null for the primary. */
    record Entry(RSAKey key, Instant createdAt, Instant retiredAt) {

        Instant withdrawnAt() {
            return retiredAt == null ? null : retiredAt.plus(MAX_TOKEN_LIFETIME).plus(REREAD_INTERVAL).plus(WITHDRAWAL_MARGIN);
        }

        boolean publishedAt(Instant now) {
            return retiredAt == null || now.isBefore(withdrawnAt());
        }

        @Override
        public String toString() {
            return "Entry[" + key.getKeyID() + "]";
        }
    }

    private record Snapshot(List<Entry> entries, Instant readAt) {

        Entry primary() {
            return entries.stream().filter(entry -> entry.retiredAt() == null).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the JWT key set has no primary key"));
        }
    }

    /** What a rotation did: the new signing key, and when the one it replaced stops being accepted. */
    public record Rotation(String keyId, String previousKeyId, Instant previousWithdrawnAt) {}

    private final Path file;
    private final Aead master;
    private final Aead previousMaster;
    private final Clock clock;
    private volatile Snapshot snapshot;
    private volatile Instant lastUnknownKeyRead = Instant.EPOCH;

    public JwtKeySet(KeyRing ring, Clock clock) {
        this.file = ring.files().directory().resolve(NAME + ".json");
        this.master = ring.files().master();
        this.previousMaster = ring.files().previousMaster();
        this.clock = clock;
        try {
            if (!Files.exists(file)) {
                Instant now = clock.instant();
                KeySetFiles.writeOnce(file, seal(List.of(new Entry(generate(), now, null))));
            }
            this.snapshot = read();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /**
     * The published keys (private parts included: the encoder signs with them; {@code /oauth2/jwks} serialises
     * public parts only) that {@code selector} matches. A key id this node does not know makes it read the file
     * again first, since another node may have rotated.
     */
    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        Instant now = clock.instant();
        List<JWK> selected = selector.select(published(current(now), now));
        String keyId = selector.getMatcher().getKeyIDs() == null || selector.getMatcher().getKeyIDs().size() != 1
                ? null : selector.getMatcher().getKeyIDs().iterator().next();
        if (selected.isEmpty() && keyId != null && now.isAfter(lastUnknownKeyRead.plus(UNKNOWN_KEY_REREAD))) {
            lastUnknownKeyRead = now;
            reread();
            selected = selector.select(published(snapshot, now));
        }
        return selected;
    }

    /** The key id of the primary key, the one that signs new tokens. */
    public String signingKeyId() {
        return current(clock.instant()).primary().key().getKeyID();
    }

    /** The primary key itself, private part included; never leaves the process except to sign. */
    RSAKey signingKey() {
        return current(clock.instant()).primary().key();
    }

    /**
     * Rotates (S-42): a new RSA-2048 key signs from now on; the old one stays published until every token it
     * signed has expired, then is withdrawn. Reads the file first, so two nodes rotating in turn keep both keys.
     */
    public Rotation rotate() {
        // The lock file keeps two nodes on a shared directory from rotating at once, since each would write its own
        // new key over the other's; the monitor does the same for key sets of one process (a file lock is per JVM).
        synchronized (ROTATING) {
            try (FileChannel lockFile = FileChannel.open(file.resolveSibling(NAME + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock held = lockFile.lock()) {
                return rotateLocked();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the rotated JWT key set", e);
            }
        }
    }

    private Rotation rotateLocked() throws IOException {
        Instant now = clock.instant();
        Snapshot before = read();
        Entry primary = before.primary();
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(generate(), now, null));
        Entry retired = new Entry(primary.key(), primary.createdAt(), now);
        entries.add(retired);
        for (Entry entry : before.entries()) {
            if (entry != primary && entry.publishedAt(now)) {
                entries.add(entry);
            }
        }
        KeySetFiles.replace(file, seal(entries));
        snapshot = new Snapshot(List.copyOf(entries), now);
        log.info("Rotated the JWT signing key; new key id {}, the previous one ({}) is withdrawn at {}",
                entries.getFirst().key().getKeyID(), primary.key().getKeyID(), retired.withdrawnAt());
        return new Rotation(entries.getFirst().key().getKeyID(), primary.key().getKeyID(), retired.withdrawnAt());
    }

    private Snapshot current(Instant now) {
        Snapshot current = snapshot;
        if (now.isAfter(current.readAt().plus(REREAD_INTERVAL)) || now.isBefore(current.readAt())) {
            reread();
            current = snapshot;
        }
        return current;
    }

    private synchronized void reread() {
        try {
            snapshot = read();
        } catch (IOException | RuntimeException e) {
            // Keep the keys already held: a file being replaced or briefly unreadable must not stop checks.
            log.warn("Cannot read the JWT key set again ({}); keeping the keys held", e.getClass().getSimpleName());
            snapshot = new Snapshot(snapshot.entries(), clock.instant());
        }
    }

    private static JWKSet published(Snapshot snapshot, Instant now) {
        return new JWKSet(snapshot.entries().stream().filter(entry -> entry.publishedAt(now))
                .map(entry -> (JWK) entry.key()).toList());
    }

    private static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                    .keyID(Ids.random(26)).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a JWT signing key", e);
        }
    }

    private Snapshot read() throws IOException {
        String stored = Files.readString(file, StandardCharsets.US_ASCII).strip();
        byte[] sealed = Base64.getDecoder().decode(stored);
        byte[] json;
        try {
            json = master.decrypt(sealed, CONTEXT);
        } catch (GeneralSecurityException e) {
            if (previousMaster == null) {
                throw new IllegalStateException("cannot open " + file + " (is OTPGATE_MASTER_KEY the key it was written with?)");
            }
            try {
                json = previousMaster.decrypt(sealed, CONTEXT);
            } catch (GeneralSecurityException again) {
                throw new IllegalStateException("cannot open " + file + " under the master key or the previous one");
            }
            KeySetFiles.replace(file, seal(json));
            log.info("Re-wrapped the jwt key set under the new master key");
        }
        return new Snapshot(parse(json), clock.instant());
    }

    private String seal(List<Entry> entries) {
        List<Object> keys = new ArrayList<>();
        for (Entry entry : entries) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("jwk", entry.key().toJSONObject());
            item.put("created_at", entry.createdAt().toString());
            item.put("retired_at", entry.retiredAt() == null ? null : entry.retiredAt().toString());
            keys.add(item);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("keys", keys);
        return seal(JSONObjectUtils.toJSONString(root).getBytes(StandardCharsets.UTF_8));
    }

    private String seal(byte[] json) {
        try {
            return Base64.getEncoder().encodeToString(master.encrypt(json, CONTEXT));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt the JWT key set", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Entry> parse(byte[] json) {
        try {
            Map<String, Object> root = JSONObjectUtils.parse(new String(json, StandardCharsets.UTF_8));
            List<Entry> entries = new ArrayList<>();
            for (Object item : (List<Object>) root.get("keys")) {
                Map<String, Object> entry = (Map<String, Object>) item;
                Object retired = entry.get("retired_at");
                entries.add(new Entry(RSAKey.parse((Map<String, Object>) entry.get("jwk")),
                        Instant.parse((String) entry.get("created_at")),
                        retired == null ? null : Instant.parse((String) retired)));
            }
            return List.copyOf(entries);
        } catch (ParseException | RuntimeException e) {
            throw new IllegalStateException("the JWT key set is damaged");
        }
    }
}
