package dev.otpgate.platform;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Refuses to start when the key sets are not the ones the database was written with, for instance a restored
 * database with a fresh keys directory: every stored destination, seed and code would be unreadable, and the
 * failures would only show later, one request at a time. The first start records a value made with each key.
 * Runs once the schema is migrated and before the server takes requests.
 */
@Component
class KeyCheck implements SmartInitializingSingleton {

    private static final byte[] PROBE = "otpgate-key-check".getBytes(StandardCharsets.UTF_8);
    private static final String CONTEXT = "key-check";

    private final KeyRing keys;
    private final JdbcClient jdbc;
    private final OtpgateProperties properties;

    KeyCheck(KeyRing keys, JdbcClient jdbc, OtpgateProperties properties) {
        this.keys = keys;
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @Override
    public void afterSingletonsInstantiated() {
        Map<String, byte[]> stored = jdbc.sql("select name, check_value from key_check")
                .query((rs, row) -> Map.entry(rs.getString(1), rs.getBytes(2))).list().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        if (stored.isEmpty()) {
            record("code", keys.codeTag(PROBE));
            record("index", keys.blindIndex(new String(PROBE, StandardCharsets.UTF_8)));
            record("data", keys.encrypt(PROBE, CONTEXT));
            return;
        }
        boolean codeMatches = stored.containsKey("code") && keys.codeTagMatches(stored.get("code"), PROBE);
        // Recorded under the index key of the first start; any key still in the set proves the same key set.
        boolean indexMatches = stored.containsKey("index") && keys.blindIndexes(new String(PROBE, StandardCharsets.UTF_8))
                .stream().anyMatch(index -> Arrays.equals(stored.get("index"), index));
        boolean dataMatches;
        try {
            dataMatches = stored.containsKey("data") && Arrays.equals(keys.decrypt(stored.get("data"), CONTEXT), PROBE);
        } catch (IllegalStateException e) {
            dataMatches = false;
        }
        if (!codeMatches || !indexMatches || !dataMatches) {
            throw new IllegalStateException("the key sets in " + properties.dataDir().resolve("keys")
                    + " are not the ones this database was written with; restore the keys directory (and "
                    + "OTPGATE_MASTER_KEY) from the backup that belongs to this database");
        }
    }

    /** After an index-key promotion: the probe under the new primary, so a start after the old key is retired passes. */
    void recordIndexProbe() {
        jdbc.sql("update key_check set check_value = ? where name = 'index'")
                .params(keys.blindIndex(new String(PROBE, StandardCharsets.UTF_8))).update();
    }

    private void record(String name, byte[] value) {
        try {
            jdbc.sql("insert into key_check (name, check_value) values (?, ?)").params(name, value).update();
        } catch (DuplicateKeyException e) {
            // Another node recorded it first; the next start compares against theirs.
        }
    }
}
