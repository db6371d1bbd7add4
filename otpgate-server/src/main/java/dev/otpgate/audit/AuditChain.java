package dev.otpgate.audit;

import dev.otpgate.audit.AuditRepository.Head;
import dev.otpgate.platform.AuditKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Appends rows and checkpoints to the chain. Every change locks the single head row first, so appends from any
 * number of nodes are serialised in the database and the sequence has no gap and no fork; a transaction that rolls
 * back takes its rows, and the head move, with it.
 */
@Component
class AuditChain {

    private final AuditRepository repository;
    private final AuditKeys keys;
    private final AuditProperties properties;
    private final Clock clock;

    AuditChain(AuditRepository repository, AuditKeys keys, AuditProperties properties, Clock clock) {
        this.repository = repository;
        this.keys = keys;
        this.properties = properties;
        this.clock = clock;
    }

    /** Appends one row in the caller's transaction; a checkpoint follows when the interval holds enough rows. */
    @Transactional(propagation = Propagation.MANDATORY)
    AuditRow append(AuditEntry entry) {
        AuditEntry complete = AuditContext.complete(entry);
        Head head = repository.lockHead();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String details = CanonicalForm.details(complete.details());
        if (details.length() > 4000) {
            throw new IllegalArgumentException("audit details must stay under 4000 characters");
        }
        AuditRow unsigned = new AuditRow(head.sequence() + 1, now, truncate(complete.actor(), 200), complete.appId(),
                complete.action(), truncate(complete.targetId(), 200), complete.outcome().wire(),
                truncate(complete.clientAddress(), 64), details, head.hash(), null);
        String canonical = CanonicalForm.row(unsigned);
        String hash = CanonicalForm.hex(keys.tag(CanonicalForm.macInput(head.hash(), canonical)));
        AuditRow row = new AuditRow(unsigned.sequence(), now, unsigned.actor(), unsigned.appId(), unsigned.action(),
                unsigned.targetId(), unsigned.outcome(), unsigned.clientAddress(), details, head.hash(), hash);
        repository.insert(row);
        String digest = CanonicalForm.digest(head.digest(), hash, canonical);
        repository.advanceHead(row.sequence(), hash, digest);
        if (row.sequence() - head.checkpointSequence() >= properties.checkpointRows()) {
            sign(new Head(row.sequence(), hash, digest, head.checkpointSequence(), head.checkpointAt()), Checkpoint.ROWS,
                    null, now);
        }
        return row;
    }

    /** A periodic checkpoint when rows arrived since the last one and its interval has passed. */
    @Transactional
    Optional<Checkpoint> checkpointIfDue() {
        Head head = repository.lockHead();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (head.sequence() == head.checkpointSequence()
                || head.checkpointAt().plus(properties.checkpointInterval()).isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(sign(head, Checkpoint.PERIODIC, null, now));
    }

    /**
     * Deletes the rows older than the retention period, in whole checkpoint intervals: first a checkpoint that
     * records the purge (and closes the current interval), so what remains still links to a signed hash. Answers
     * the number of rows deleted.
     */
    @Transactional
    int purge() {
        Head head = repository.lockHead();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant cutoff = now.minus(properties.retention());
        long purged = repository.purgedThrough();
        long firstKept = repository.firstSequenceAtOrAfter(cutoff).orElse(head.sequence() + 1);
        long through;
        if (firstKept > head.sequence() && head.sequence() > purged) {
            through = head.sequence();
        } else {
            Optional<Long> boundary = repository.lastCheckpointSequenceBetween(purged, firstKept);
            if (boundary.isEmpty()) {
                return 0;
            }
            through = boundary.get();
        }
        sign(head, Checkpoint.PURGE, through, now);
        return repository.deleteThrough(through);
    }

    private Checkpoint sign(Head head, String kind, Long purgedThrough, Instant now) {
        long id = repository.nextCheckpointId();
        String payload = CanonicalForm.checkpoint(id, kind, head.sequence(), head.hash(), head.checkpointSequence() + 1,
                head.digest(), purgedThrough, now);
        String signature = CanonicalForm.hex(keys.sign(payload.getBytes(StandardCharsets.UTF_8)));
        Checkpoint checkpoint = new Checkpoint(id, head.sequence(), kind, purgedThrough, now, payload, signature);
        repository.insert(checkpoint);
        repository.closeInterval(head.sequence(), head.hash(), now);
        return checkpoint;
    }

    private static String truncate(String value, int length) {
        return value == null || value.length() <= length ? value : value.substring(0, length);
    }
}
