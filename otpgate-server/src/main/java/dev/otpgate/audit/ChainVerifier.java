package dev.otpgate.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Walks the chain in sequence order and reports the first place it breaks. The same walk serves the online check
 * (with {@code macCheck}: every row's HMAC recomputed under the audit key) and the offline one (without it: the
 * links from each row's {@code prev_hash} to the previous row's {@code hash}, the Ed25519 signature of every
 * checkpoint, the signed head hash and signed rows digest of every checkpoint interval whose rows are all present,
 * and the tail against the last checkpoint). Feed it rows with {@link #row}, then call {@link #finish}.
 */
final class ChainVerifier {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Signed(long id, long sequence, String headHash, long fromSequence, String rowsDigest, Long purgedThrough) {}

    private final Predicate<AuditRow> macCheck;
    private final Map<Long, List<Signed>> closing = new HashMap<>();
    private final long purgedThrough;
    private final String expectedFirstPrev;
    private final long maxCheckpointSequence;
    private final int checkpointsChecked;

    private long expected;
    private String previousHash;
    private String digest = CanonicalForm.ZERO_DIGEST;
    private long intervalStart;
    private long rows;
    private long firstSequence = -1;
    private Long firstBad;
    private String problem;

    /**
     * @param checkpoints every checkpoint known, in id order
     * @param signatureCheck true when a signature (bytes) is valid for a payload (bytes)
     * @param macCheck true when a row's hash is its HMAC; null offline
     */
    ChainVerifier(List<Checkpoint> checkpoints, BiPredicate<byte[], byte[]> signatureCheck, Predicate<AuditRow> macCheck) {
        this.macCheck = macCheck;
        List<Signed> signed = new ArrayList<>();
        for (Checkpoint checkpoint : checkpoints) {
            Signed parsed = parse(checkpoint);
            if (parsed == null || !signatureCheck.test(checkpoint.payload().getBytes(StandardCharsets.UTF_8),
                    CanonicalForm.unhex(checkpoint.signature()))) {
                fail(checkpoint.sequence(), "checkpoint " + checkpoint.id() + " does not carry a valid signature");
                continue;
            }
            signed.add(parsed);
        }
        long purged = 0;
        long max = 0;
        for (Signed checkpoint : signed) {
            if (checkpoint.purgedThrough() != null) {
                purged = Math.max(purged, checkpoint.purgedThrough());
            }
            max = Math.max(max, checkpoint.sequence());
        }
        String firstPrev = purged == 0 ? CanonicalForm.GENESIS : null;
        for (Signed checkpoint : signed) {
            if (checkpoint.sequence() > purged) {
                closing.computeIfAbsent(checkpoint.sequence(), key -> new ArrayList<>()).add(checkpoint);
            } else if (checkpoint.sequence() == purged) {
                firstPrev = checkpoint.headHash();
            }
        }
        this.purgedThrough = purged;
        this.expectedFirstPrev = firstPrev;
        this.maxCheckpointSequence = max;
        this.checkpointsChecked = signed.size();
        this.expected = purged + 1;
        this.previousHash = firstPrev;
        this.intervalStart = purged + 1;
    }

    void row(AuditRow row) {
        if (firstBad != null) {
            return;
        }
        if (firstSequence < 0) {
            firstSequence = row.sequence();
        }
        if (row.sequence() != expected) {
            fail(expected, row.sequence() > expected
                    ? "row " + expected + " is missing (the next row present is " + row.sequence() + ")"
                    : "row " + row.sequence() + " is out of order or repeated (expected " + expected + ")");
            return;
        }
        if (previousHash == null) {
            fail(row.sequence(), "no signed checkpoint at the purge boundary links row " + row.sequence());
            return;
        }
        if (!previousHash.equals(row.prevHash())) {
            fail(row.sequence(), "row " + row.sequence() + " does not link to the row before it");
            return;
        }
        String canonical = CanonicalForm.row(row);
        if (macCheck != null && !macCheck.test(row)) {
            fail(row.sequence(), "row " + row.sequence() + " was changed: its hash is not the audit key's HMAC of its content");
            return;
        }
        digest = CanonicalForm.digest(digest, row.hash(), canonical);
        rows++;
        for (Signed checkpoint : closing.getOrDefault(row.sequence(), List.of())) {
            if (checkpoint.fromSequence() > checkpoint.sequence()) {
                continue;
            }
            if (!checkpoint.headHash().equals(row.hash())) {
                fail(row.sequence(), "row " + row.sequence() + " differs from the hash signed in checkpoint " + checkpoint.id());
                return;
            }
            if (checkpoint.fromSequence() == intervalStart && !checkpoint.rowsDigest().equals(digest)) {
                fail(checkpoint.fromSequence(), "rows " + checkpoint.fromSequence() + "–" + checkpoint.sequence()
                        + " differ from what checkpoint " + checkpoint.id() + " signed");
                return;
            }
        }
        if (closing.containsKey(row.sequence())) {
            digest = CanonicalForm.ZERO_DIGEST;
            intervalStart = row.sequence() + 1;
        }
        previousHash = row.hash();
        expected = row.sequence() + 1;
    }

    /**
     * Ends the walk. {@code headSequence} and {@code headHash} are the database's head row (online), null offline;
     * either way the rows must reach the last signed checkpoint.
     */
    VerificationReport finish(Long headSequence, String headHash) {
        long last = expected - 1;
        if (firstBad == null && last < maxCheckpointSequence) {
            fail(last + 1, "the chain ends at " + last + " but checkpoint sequence " + maxCheckpointSequence
                    + " was signed: rows were cut off the tail");
        }
        if (firstBad == null && headSequence != null) {
            if (last < headSequence) {
                fail(last + 1, "the chain ends at " + last + " but its head is at " + headSequence + ": rows were cut off the tail");
            } else if (last > headSequence) {
                fail(headSequence + 1, "rows beyond the head (" + headSequence + ") were inserted");
            } else if (last > purgedThrough && !java.util.Objects.equals(headHash, previousHash)) {
                fail(last, "row " + last + " differs from the head");
            }
        }
        Long lastCheckpoint = maxCheckpointSequence == 0 && closing.isEmpty() ? null : maxCheckpointSequence;
        return new VerificationReport(firstBad == null, firstBad, problem,
                firstSequence < 0 ? purgedThrough + 1 : firstSequence, last, rows, checkpointsChecked, lastCheckpoint,
                macCheck != null);
    }

    private void fail(long sequence, String why) {
        if (firstBad == null || sequence < firstBad) {
            firstBad = sequence;
            problem = why;
        }
    }

    private static Signed parse(Checkpoint checkpoint) {
        try {
            JsonNode node = JSON.readTree(checkpoint.payload());
            JsonNode purged = node.get("purged_through");
            return new Signed(node.get("checkpoint").asLong(), node.get("sequence").asLong(),
                    node.get("head_hash").asString(), node.get("from_sequence").asLong(),
                    node.get("rows_digest").asString(), purged == null || purged.isNull() ? null : purged.asLong());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
