package dev.otpgate.audit;

import java.time.Instant;

/** One row of the chain as stored, exported and delivered. {@code details} is the exact JSON text that was hashed. */
public record AuditRow(long sequence, Instant occurredAt, String actor, String appId, String action, String targetId,
        String outcome, String clientAddress, String details, String prevHash, String hash) {}
