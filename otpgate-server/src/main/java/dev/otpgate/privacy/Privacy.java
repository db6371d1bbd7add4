package dev.otpgate.privacy;

import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.KeyRing;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Erasure and export of one person's data (GDPR articles 15, 17 and 20). An app key reaches its own app's
 * records only; an admin key ({@code appId == null}) every app's. Erasure runs in one transaction: everything
 * about the subject goes, or nothing does, and its audit row ({@code privacy.erased}, the subject as a keyed hash
 * only, the caller as actor) commits with it.
 */
@Service
public class Privacy {

    private static final int MAX_ACCOUNT_LENGTH = 128;

    private final Destinations destinations;
    private final KeyRing keys;
    private final PersonalDataRecords records;
    private final PersonalDataExport exports;
    private final AuditTrail audit;
    private final PrivacyProperties properties;
    private final Clock clock;

    Privacy(Destinations destinations, KeyRing keys, PersonalDataRecords records, PersonalDataExport exports,
            AuditTrail audit, PrivacyProperties properties, Clock clock) {
        this.properties = properties;
        this.destinations = destinations;
        this.keys = keys;
        this.records = records;
        this.exports = exports;
        this.audit = audit;
        this.clock = clock;
    }

    /** Counts removed, by kind; all zero when there was nothing (left) to remove. */
    public record Erased(String scope, Map<String, Integer> counts) {}

    @Transactional
    public Erased erase(String appId, String to, String account) {
        Subject subject = subject(appId, to, account);
        Instant now = clock.instant();
        Map<String, Integer> counts = new LinkedHashMap<>();
        if (subject.isDestination()) {
            List<PersonalDataRecords.Ended> rows = records.verificationsOf(subject);
            List<String> ids = rows.stream().map(PersonalDataRecords.Ended::id).toList();
            int withdrawn = records.cancelPending(ids, now);
            List<PersonalDataRecords.Ended> ended = rows.stream()
                    .map(row -> row.status().equals("pending") ? new PersonalDataRecords.Ended(row.id(), row.appId(),
                            "canceled", row.channel(), row.country(), row.createdAt()) : row)
                    .toList();
            PersonalDataRecords.Stripped stripped = records.strip(ended, now);
            counts.put("verifications", stripped.verifications());
            counts.put("delivery_steps", stripped.deliverySteps());
            counts.put("queued_messages", withdrawn);
            counts.put("idempotency_records", stripped.idempotencyRecords());
            // The dev inbox holds no app id: only an instance-wide erasure reaches it.
            counts.put("dev_inbox_messages", appId == null ? records.deleteDevMessages(subject.destination().value()) : 0);
        } else {
            counts.put("totp_factors", records.deleteFactors(subject));
        }
        // The audit row names the subject by a keyed hash only, and commits with the erasure or fails it.
        AuditEntry entry = AuditEntry.success("privacy.erased", appId, subjectHash(subject))
                .with("subject_kind", subject.kind());
        for (Map.Entry<String, Integer> count : counts.entrySet()) {
            entry = entry.with(count.getKey(), count.getValue());
        }
        audit.record(entry);
        return new Erased(scope(appId), counts);
    }

    /** An app's retention window: its own, shorter one or the instance's. */
    public record Retention(String appId, java.time.Duration window, boolean appOwn, java.time.Duration instanceWindow) {}

    @Transactional(readOnly = true)
    public Retention retention(String appId) {
        java.time.Duration instance = properties.retention();
        return records.appRetention(appId).map(own -> new Retention(appId, own, true, instance))
                .orElse(new Retention(appId, instance, false, instance));
    }

    /**
     * Sets an app's own window, shorter than the instance's (down to 1 hour), or with {@code null} goes back to the
     * instance's. Applies at the next purge, to rows that ended before as well.
     */
    @Transactional
    public Retention setRetention(String appId, Long retentionSeconds) {
        java.time.Duration window = retentionSeconds == null ? null : java.time.Duration.ofSeconds(retentionSeconds);
        if (window != null && (window.compareTo(java.time.Duration.ofHours(1)) < 0
                || window.compareTo(properties.retention()) > 0)) {
            throw ApiProblem.invalid("retention_seconds", "must be 3600–" + properties.retention().toSeconds()
                    + " (at most the instance's window), or null for the instance's");
        }
        if (!records.setAppRetention(appId, window, clock.instant())) {
            throw ApiProblem.notFound("app");
        }
        return retention(appId);
    }

    @Transactional(readOnly = true)
    public Map<String, Object> export(String appId, String to, String account) {
        return exports.export(subject(appId, to, account), clock.instant());
    }

    private Subject subject(String appId, String to, String account) {
        if ((to == null) == (account == null)) {
            throw ApiProblem.invalid(to == null ? "to" : "account", "give exactly one of to and account");
        }
        if (to != null) {
            Destination destination = destinations.parse(to);
            return new Subject(appId, destination, destinations.indexes(destination), null);
        }
        if (account.isBlank() || account.length() > MAX_ACCOUNT_LENGTH) {
            throw ApiProblem.invalid("account", "must be 1-" + MAX_ACCOUNT_LENGTH + " characters");
        }
        return new Subject(appId, null, List.of(), account);
    }

    /** A keyed hash of the subject, domain-separated from the blind index used for look-ups and limits. */
    private String subjectHash(Subject subject) {
        String value = subject.isDestination() ? HexFormat.of().formatHex(destinations.index(subject.destination()))
                : subject.account();
        return HexFormat.of().formatHex(keys.blindIndex("privacy-subject:" + subject.kind() + ":" + value));
    }

    private static String scope(String appId) {
        return appId == null ? "instance" : "app";
    }
}
