package dev.otpgate.audit;

/**
 * What a verification of the chain found. {@code firstBadSequence} is the first sequence number where the chain
 * breaks (a row edited, inserted, reordered or deleted, or the tail cut off), null when it holds; {@code problem}
 * says how in a sentence. {@code macsChecked} tells an online check (every row's HMAC recomputed with the audit key)
 * from an offline one (links, signatures and signed digests only).
 */
public record VerificationReport(boolean valid, Long firstBadSequence, String problem, long firstSequence,
        long lastSequence, long rowsChecked, int checkpointsChecked, Long lastCheckpointSequence, boolean macsChecked) {}
