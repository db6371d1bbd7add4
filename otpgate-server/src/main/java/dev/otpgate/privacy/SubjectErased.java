package dev.otpgate.privacy;

import java.time.Instant;
import java.util.Map;

/**
 * One person's data was erased. Carries nothing that identifies them: {@code subjectHash} is a keyed hash of the
 * subject (hex), equal for repeated erasures of the same subject, from which the subject cannot be recovered.
 * Published inside the erasure's transaction, so a listener that records it commits or fails with it.
 *
 * @param appId the app whose data was erased, {@code null} for an instance-wide erasure by an admin key
 * @param actor the id of the API key that asked
 * @param subjectKind {@code destination} or {@code account}
 * @param counts records removed, by kind
 */
public record SubjectErased(String subjectHash, String subjectKind, String appId, String actor,
        Map<String, Integer> counts, Instant at) {}
