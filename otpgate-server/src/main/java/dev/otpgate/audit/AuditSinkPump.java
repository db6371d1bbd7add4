package dev.otpgate.audit;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers rows and checkpoints to each sink from the position it last confirmed, tracked per sink in
 * {@code audit_sink_positions}. The position row is locked while a batch is delivered, so with several nodes one
 * delivers and the others wait, and nothing is sent twice unless a delivery failed half way. A sink that is down
 * keeps its position: it is retried every interval and, when back, receives everything it missed, in order.
 */
@Component
class AuditSinkPump {

    private static final Logger log = LoggerFactory.getLogger(AuditSinkPump.class);
    private static final int BATCH = 500;

    private final List<AuditSink> sinks;
    private final AuditRepository repository;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();

    AuditSinkPump(AuditSinks sinks, AuditRepository repository, JdbcClient jdbc, TransactionTemplate transactions, Clock clock) {
        this.sinks = sinks.all();
        this.repository = repository;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    boolean hasSinks() {
        return !sinks.isEmpty();
    }

    /** Delivers what each sink is missing, in batches, until every sink is current or fails. */
    void pumpAll() {
        for (AuditSink sink : sinks) {
            try {
                ensurePosition(sink.name());
                while (Boolean.TRUE.equals(transactions.execute(tx -> pump(sink)))) {
                    // A full batch went out: there may be more.
                }
                if (failing.remove(sink.name()) != null) {
                    log.info("Audit sink {} is delivering again", sink.name());
                }
            } catch (Exception e) {
                if (failing.put(sink.name(), true) == null) {
                    log.warn("Audit sink {} is failing ({}); it resumes from its last delivered row", sink.name(),
                            e.getClass().getSimpleName());
                }
                transactions.executeWithoutResult(tx -> jdbc.sql(
                        "update audit_sink_positions set failing_since = coalesce(failing_since, ?) where sink = ?")
                        .params(java.sql.Timestamp.from(clock.instant()), sink.name()).update());
            }
        }
    }

    /** One batch for one sink; true when the batch was full. */
    private boolean pump(AuditSink sink) {
        record Position(long sequence, long checkpointId) {}
        Position position = jdbc.sql("select sequence, checkpoint_id from audit_sink_positions where sink = ? for update")
                .param(sink.name()).query((rs, n) -> new Position(rs.getLong(1), rs.getLong(2))).single();
        long head = repository.head().sequence();
        List<AuditRow> rows = repository.rowsAfter(position.sequence(), head, BATCH);
        long through = rows.isEmpty() ? position.sequence() : rows.getLast().sequence();
        // Checkpoints follow the rows they seal; ids and sequences grow together, so this is a prefix.
        long sealedThrough = rows.isEmpty() ? head : through;
        List<Checkpoint> checkpoints = repository.checkpointsAfter(position.checkpointId(), BATCH).stream()
                .takeWhile(checkpoint -> checkpoint.sequence() <= sealedThrough)
                .toList();
        if (rows.isEmpty() && checkpoints.isEmpty()) {
            return false;
        }
        record Item(long sequence, int order, AuditSink.Line line) {}
        List<Item> items = new ArrayList<>();
        rows.forEach(row -> items.add(new Item(row.sequence(), 0, new AuditSink.Line(AuditLines.of(row), row.occurredAt(), false))));
        checkpoints.forEach(checkpoint -> items.add(new Item(checkpoint.sequence(), 1,
                new AuditSink.Line(AuditLines.of(checkpoint), checkpoint.createdAt(), true))));
        items.sort(Comparator.comparingLong(Item::sequence).thenComparingInt(Item::order));
        try {
            sink.deliver(items.stream().map(Item::line).toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        long checkpointId = checkpoints.isEmpty() ? position.checkpointId() : checkpoints.getLast().id();
        Instant now = clock.instant();
        jdbc.sql("update audit_sink_positions set sequence = ?, checkpoint_id = ?, delivered_at = ?, failing_since = null where sink = ?")
                .params(through, checkpointId, java.sql.Timestamp.from(now), sink.name()).update();
        return rows.size() == BATCH || checkpoints.size() == BATCH;
    }

    private void ensurePosition(String sink) {
        try {
            transactions.executeWithoutResult(tx -> jdbc.sql("insert into audit_sink_positions (sink, sequence, checkpoint_id) "
                    + "select ?, 0, 0 where not exists (select 1 from audit_sink_positions where sink = ?)")
                    .params(sink, sink).update());
        } catch (DataIntegrityViolationException raced) {
            // Another node inserted it first.
        }
    }
}
