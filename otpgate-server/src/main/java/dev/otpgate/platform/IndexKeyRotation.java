package dev.otpgate.platform;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The index key's rotation in three steps, so that at most two index keys are ever in play and no node writes
 * under a key another node does not know yet:
 * <ol>
 * <li>{@link #rotate}: a new key joins as a secondary. Every node (within 10 s) looks destinations up under both
 * keys and counts limits and lockouts under both; new rows are still written under the primary.</li>
 * <li>{@link #promote}, at least {@code promote-after} later: the new key becomes primary; new rows, buckets and
 * idempotency records use it. The previous key still matches everything written before.</li>
 * <li>{@link #retire}, at least {@code retire-after} (longer than every limit window) after the promotion, and
 * once nothing that cannot be recomputed (test destinations) still needs the previous key: it leaves the set.</li>
 * </ol>
 * Each step answers a value; only the web edge turns a refusal into HTTP.
 */
@Component
public class IndexKeyRotation {

    public sealed interface Outcome {}

    public record Added(String keyId, Instant promotableAt) implements Outcome {}

    public record Promoted(String keyId, String previousKeyId, Instant retirableAt) implements Outcome {}

    public record Retired(String keyId) implements Outcome {}

    /** @param retryAfter when waiting helps, how long; otherwise {@code null} */
    public record Refused(String slug, String detail, Duration retryAfter) implements Outcome {}

    private record Row(int keyId, Instant addedAt, Instant promotedAt) {}

    private final KeyRing keys;
    private final KeyCheck check;
    private final JdbcClient jdbc;
    private final IndexKeyProperties properties;
    private final List<IndexKeyUsers> users;
    private final Clock clock;

    IndexKeyRotation(KeyRing keys, KeyCheck check, JdbcClient jdbc, IndexKeyProperties properties,
            List<IndexKeyUsers> users, Clock clock) {
        this.keys = keys;
        this.check = check;
        this.jdbc = jdbc;
        this.properties = properties;
        this.users = users;
        this.clock = clock;
    }

    @Transactional
    public synchronized Outcome rotate() {
        List<Integer> ids = keys.indexKeyIds();
        if (ids.size() > 1) {
            return new Refused("index-rotation-in-progress", "a rotation is under way (keys " + unsigned(ids)
                    + "): promote the new key or retire the previous one first", null);
        }
        Instant now = now();
        if (row(ids.getFirst()).isEmpty()) {
            insert(ids.getFirst(), now, now);
        }
        int added = keys.addIndexKey();
        insert(added, now, null);
        return new Added(Integer.toUnsignedString(added), now.plus(properties.promoteAfter()));
    }

    @Transactional
    public synchronized Outcome promote() {
        List<Integer> ids = keys.indexKeyIds();
        Optional<Row> next = ids.stream().skip(1).map(this::row).flatMap(Optional::stream)
                .filter(row -> row.promotedAt() == null).findFirst();
        if (next.isEmpty()) {
            return new Refused("nothing-to-promote", "no new index key is waiting: rotate first", null);
        }
        Instant now = now();
        Instant promotable = next.get().addedAt().plus(properties.promoteAfter());
        if (now.isBefore(promotable)) {
            return new Refused("index-key-not-propagated", "every node must have read the new index key first; "
                    + "promote after " + promotable, Duration.between(now, promotable));
        }
        int previous = ids.getFirst();
        keys.promoteIndexKey(next.get().keyId());
        jdbc.sql("update index_keys set promoted_at = ? where key_id = ?").params(Timestamp.from(now), next.get().keyId()).update();
        check.recordIndexProbe();
        return new Promoted(Integer.toUnsignedString(next.get().keyId()), Integer.toUnsignedString(previous),
                now.plus(properties.retireAfter()));
    }

    @Transactional
    public synchronized Outcome retire() {
        List<Integer> ids = keys.indexKeyIds();
        Optional<Row> primary = row(ids.getFirst());
        Optional<Row> previous = ids.stream().skip(1).map(this::row).flatMap(Optional::stream)
                .filter(row -> row.promotedAt() != null).findFirst();
        if (previous.isEmpty() || primary.isEmpty() || primary.get().promotedAt() == null) {
            return new Refused("nothing-to-retire", "no previous index key is in the set", null);
        }
        Instant now = now();
        Instant retirable = primary.get().promotedAt().plus(properties.retireAfter());
        if (now.isBefore(retirable)) {
            return new Refused("index-key-still-needed", "limits and lockouts counted under the previous index key "
                    + "run until " + retirable, Duration.between(now, retirable));
        }
        int retiring = previous.get().keyId();
        List<String> holders = new ArrayList<>();
        users.forEach(user -> holders.addAll(user.stillUsing(retiring)));
        if (!holders.isEmpty()) {
            return new Refused("index-key-in-use", "still indexed under the previous key, save them again first: "
                    + String.join(", ", holders), null);
        }
        keys.retireIndexKey(retiring);
        jdbc.sql("update index_keys set retired_at = ? where key_id = ?").params(Timestamp.from(now), retiring).update();
        return new Retired(Integer.toUnsignedString(retiring));
    }

    /** The time as the database keeps it (to the millisecond), so a stored time read back compares exactly. */
    private Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private Optional<Row> row(int keyId) {
        return jdbc.sql("select key_id, added_at, promoted_at from index_keys where key_id = ? and retired_at is null")
                .param((long) keyId)
                .query((rs, n) -> new Row((int) rs.getLong(1), rs.getTimestamp(2).toInstant(),
                        rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant()))
                .optional();
    }

    private void insert(int keyId, Instant addedAt, Instant promotedAt) {
        jdbc.sql("insert into index_keys (key_id, added_at, promoted_at) values (?, ?, ?)")
                .params((long) keyId, Timestamp.from(addedAt), promotedAt == null ? null : Timestamp.from(promotedAt))
                .update();
    }

    private static List<String> unsigned(List<Integer> ids) {
        return ids.stream().map(Integer::toUnsignedString).toList();
    }
}
