package dev.otpgate.verification;

import java.time.Instant;

/** A verification row as stored. {@link #codeHash} is the keyed hash of S-40, never the code. */
record Verification(
        String id,
        String appId,
        VerificationStatus status,
        String channel,
        String destinationType,
        byte[] destinationCiphertext,
        byte[] destinationIndex,
        String destinationMasked,
        byte[] codeHash,
        int codeStep,
        int attempts,
        int maxAttempts,
        int sendCount,
        int maxSends,
        int resendCooldownSeconds,
        int codeTtlSeconds,
        String locale,
        String transactionJson,
        String endUserIp,
        String endUserAgent,
        String deliveryStatus,
        String deliveryError,
        String failureReason,
        Instant createdAt,
        Instant updatedAt,
        Instant expiresAt,
        Instant lastSentAt,
        Instant approvedAt,
        String workflowJson,
        int workflowIndex,
        boolean phoneBlocked,
        boolean testDestination,
        String destinationCountry,
        String destinationPrefix,
        String appHash) {

    boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** This verification as the approving update left it. */
    Verification approvedAt(Instant now) {
        return new Verification(id, appId, VerificationStatus.APPROVED, channel, destinationType, destinationCiphertext,
                destinationIndex, destinationMasked, codeHash, codeStep, attempts, maxAttempts, sendCount, maxSends,
                resendCooldownSeconds, codeTtlSeconds, locale, transactionJson, endUserIp, endUserAgent, deliveryStatus,
                deliveryError, failureReason, createdAt, now, expiresAt, lastSentAt, now, workflowJson, workflowIndex,
                phoneBlocked, testDestination, destinationCountry, destinationPrefix, appHash);
    }

    @Override
    public String toString() {
        return "Verification[" + id + " " + status + "]";
    }
}
