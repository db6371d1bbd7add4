package dev.otpgate.audit;

import dev.otpgate.audit.AuditRepository.Head;
import dev.otpgate.platform.AuditKeys;
import dev.otpgate.platform.SnapshotReads;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The online check and the export. Online, every row's HMAC is recomputed under the audit key, so any change to
 * any column of any row is found at its sequence; the export is what the offline check reads.
 */
@Component
class AuditVerifier {

    private final AuditRepository repository;
    private final AuditKeys keys;
    private final SnapshotReads snapshots;

    AuditVerifier(AuditRepository repository, AuditKeys keys, SnapshotReads snapshots) {
        this.repository = repository;
        this.keys = keys;
        this.snapshots = snapshots;
    }

    /**
     * Verifies the whole chain that is kept, from one snapshot of the database: a row committed after the head was
     * read would otherwise look like a row inserted past it.
     */
    public VerificationReport verify() {
        return snapshots.read(this::verifyInSnapshot);
    }

    private VerificationReport verifyInSnapshot() {
        Head head = repository.head();
        List<Checkpoint> checkpoints = repository.checkpoints();
        ChainVerifier verifier = new ChainVerifier(checkpoints, OfflineVerifier.signatureCheck(keys.publicKeySet()),
                row -> keys.tagMatches(CanonicalForm.unhex(row.hash()),
                        CanonicalForm.macInput(row.prevHash(), CanonicalForm.row(row))));
        // Rows past the head would be an insertion: read one beyond it to see them.
        repository.forEach(Long.MAX_VALUE, verifier::row);
        return verifier.finish(head.sequence(), head.hash());
    }

    /** Writes every kept row and checkpoint as JSON Lines, checkpoints after the rows they seal, from one snapshot. */
    public void export(Writer out) throws IOException {
        IOException failure = snapshots.read(() -> {
            try {
                exportInSnapshot(out);
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        if (failure != null) {
            throw failure;
        }
    }

    private void exportInSnapshot(Writer out) throws IOException {
        List<Checkpoint> checkpoints = repository.checkpoints();
        long head = repository.head().sequence();
        int[] next = {0};
        IOException[] failure = {null};
        repository.forEach(head, row -> {
            if (failure[0] != null) {
                return;
            }
            try {
                while (next[0] < checkpoints.size() && checkpoints.get(next[0]).sequence() < row.sequence()) {
                    out.write(AuditLines.of(checkpoints.get(next[0]++)) + "\n");
                }
                out.write(AuditLines.of(row) + "\n");
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        while (next[0] < checkpoints.size()) {
            out.write(AuditLines.of(checkpoints.get(next[0]++)) + "\n");
        }
        out.flush();
    }

    String publicKeySet() {
        return keys.publicKeySet();
    }
}
