package dev.otpgate.audit;

import java.time.Instant;

/**
 * A signed checkpoint: {@code payload} is the canonical JSON that was signed (sequence, head hash, the digest of
 * the rows since the previous checkpoint, the purge it records), {@code signature} the Ed25519 signature, hex.
 */
public record Checkpoint(long id, long sequence, String kind, Long purgedThrough, Instant createdAt, String payload,
        String signature) {

    /** The kinds: every N rows, every T minutes, before a retention purge. */
    static final String ROWS = "rows";
    static final String PERIODIC = "periodic";
    static final String PURGE = "purge";
}
