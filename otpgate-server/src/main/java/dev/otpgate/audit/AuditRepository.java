package dev.otpgate.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The audit tables, in explicit SQL. Rows are inserted and deleted (by the purge), never updated. */
@Repository
class AuditRepository {

    /** The chain's head row as locked by an append. */
    record Head(long sequence, String hash, String digest, long checkpointSequence, Instant checkpointAt) {}

    /** Filters of a page read; null means any. */
    record Filter(String appId, String action, String actor, Instant from, Instant to) {}

    private static final String COLUMNS =
            "sequence, occurred_at, actor, app_id, action, target_id, outcome, client_address, details, prev_hash, hash";

    private final JdbcClient jdbc;

    AuditRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Locks the head row until the transaction ends: appends and checkpoints of every node queue here. */
    Head lockHead() {
        return jdbc.sql("select sequence, hash, digest, checkpoint_sequence, checkpoint_at from audit_head where id = 1 for update")
                .query(AuditRepository::mapHead).single();
    }

    Head head() {
        return jdbc.sql("select sequence, hash, digest, checkpoint_sequence, checkpoint_at from audit_head where id = 1")
                .query(AuditRepository::mapHead).single();
    }

    void insert(AuditRow row) {
        jdbc.sql("insert into audit_events (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(row.sequence(), Timestamp.from(row.occurredAt()), row.actor(), row.appId(), row.action(),
                        row.targetId(), row.outcome(), row.clientAddress(), row.details(), row.prevHash(), row.hash())
                .update();
    }

    void advanceHead(long sequence, String hash, String digest) {
        jdbc.sql("update audit_head set sequence = ?, hash = ?, digest = ? where id = 1")
                .params(sequence, hash, digest).update();
    }

    void closeInterval(long sequence, String hash, Instant at) {
        jdbc.sql("update audit_head set sequence = ?, hash = ?, digest = ?, checkpoint_sequence = ?, checkpoint_at = ? where id = 1")
                .params(sequence, hash, CanonicalForm.ZERO_DIGEST, sequence, Timestamp.from(at)).update();
    }

    long nextCheckpointId() {
        return jdbc.sql("select coalesce(max(id), 0) + 1 from audit_checkpoints").query(Long.class).single();
    }

    void insert(Checkpoint checkpoint) {
        jdbc.sql("insert into audit_checkpoints (id, sequence, kind, purged_through, created_at, payload, signature) values (?, ?, ?, ?, ?, ?, ?)")
                .params(checkpoint.id(), checkpoint.sequence(), checkpoint.kind(), checkpoint.purgedThrough(),
                        Timestamp.from(checkpoint.createdAt()), checkpoint.payload(), checkpoint.signature())
                .update();
    }

    List<Checkpoint> checkpoints() {
        return jdbc.sql("select id, sequence, kind, purged_through, created_at, payload, signature from audit_checkpoints order by id")
                .query(AuditRepository::mapCheckpoint).list();
    }

    List<Checkpoint> checkpointsAfter(long id, int limit) {
        return jdbc.sql("select id, sequence, kind, purged_through, created_at, payload, signature from audit_checkpoints where id > ? order by id limit ?")
                .params(id, limit).query(AuditRepository::mapCheckpoint).list();
    }

    /** Streams rows in sequence order up to {@code through}, without holding them all in memory. */
    void forEach(long through, Consumer<AuditRow> action) {
        long after = Long.MIN_VALUE;
        while (true) {
            List<AuditRow> page = rowsAfter(after, through, 1000);
            page.forEach(action);
            if (page.size() < 1000) {
                return;
            }
            after = page.getLast().sequence();
        }
    }

    List<AuditRow> rowsAfter(long after, long through, int limit) {
        return jdbc.sql("select " + COLUMNS + " from audit_events where sequence > ? and sequence <= ? order by sequence limit ?")
                .params(after, through, limit).query(AuditRepository::mapRow).list();
    }

    /** A page, newest first, below {@code before} (keyset on sequence: no offset scan). */
    List<AuditRow> page(Filter filter, Long before, int limit) {
        StringBuilder sql = new StringBuilder("select " + COLUMNS + " from audit_events where 1 = 1");
        List<Object> params = new ArrayList<>();
        if (before != null) {
            sql.append(" and sequence < ?");
            params.add(before);
        }
        if (filter.appId() != null) {
            sql.append(" and app_id = ?");
            params.add(filter.appId());
        }
        if (filter.action() != null) {
            sql.append(" and action = ?");
            params.add(filter.action());
        }
        if (filter.actor() != null) {
            sql.append(" and actor = ?");
            params.add(filter.actor());
        }
        if (filter.from() != null) {
            sql.append(" and occurred_at >= ?");
            params.add(Timestamp.from(filter.from()));
        }
        if (filter.to() != null) {
            sql.append(" and occurred_at < ?");
            params.add(Timestamp.from(filter.to()));
        }
        sql.append(" order by sequence desc limit ?");
        params.add(limit);
        return jdbc.sql(sql.toString()).params(params).query(AuditRepository::mapRow).list();
    }

    /** The first sequence of a row at or after {@code cutoff}, or empty when every row is older. */
    Optional<Long> firstSequenceAtOrAfter(Instant cutoff) {
        return jdbc.sql("select min(sequence) from audit_events where occurred_at >= ?")
                .param(Timestamp.from(cutoff)).query(Long.class).list().stream().filter(java.util.Objects::nonNull).findFirst();
    }

    Optional<Long> lastCheckpointSequenceBetween(long after, long before) {
        return jdbc.sql("select max(sequence) from audit_checkpoints where sequence > ? and sequence < ?")
                .params(after, before).query(Long.class).list().stream().filter(java.util.Objects::nonNull).findFirst();
    }

    long purgedThrough() {
        return jdbc.sql("select coalesce(max(purged_through), 0) from audit_checkpoints").query(Long.class).single();
    }

    int deleteThrough(long sequence) {
        return jdbc.sql("delete from audit_events where sequence <= ?").param(sequence).update();
    }

    private static Head mapHead(ResultSet rs, int row) throws SQLException {
        return new Head(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getTimestamp(5).toInstant());
    }

    private static AuditRow mapRow(ResultSet rs, int row) throws SQLException {
        return new AuditRow(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getString(11));
    }

    private static Checkpoint mapCheckpoint(ResultSet rs, int row) throws SQLException {
        long purged = rs.getLong(4);
        return new Checkpoint(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.wasNull() ? null : purged,
                rs.getTimestamp(5).toInstant(), rs.getString(6), rs.getString(7));
    }
}
