package dev.otpgate.privacy;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Where otpgate keeps personal data, in one place, so that retention, erasure and export cannot miss a table:
 * verifications (destination ciphertext and blind index, masked form, number range, end-user ciphertext,
 * transaction lines), delivery steps (the provider's message id, which the provider can map back to the number),
 * idempotency records (tied to a verification), dev-inbox messages (recipient and body in clear) and TOTP factors
 * (the app's account reference). Fraud counts and spend hold number ranges and countries only; rate-limit buckets
 * are keyed by keyed hashes and expire within their window (at most 7 days), and are kept so that an erasure
 * cannot lift a lockout.
 */
@Repository
class PersonalDataRecords {

    /** db-scheduler's task that holds a queued message (destination and code, sealed) until it is sent. */
    static final String DELIVERY_TASK = "deliver-code";
    static final String STRIPPED_MASK = "•••";

    private final JdbcClient jdbc;

    PersonalDataRecords(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A verification as far as retention needs it: what it counts as in the daily aggregates. */
    record Ended(String id, String appId, String status, String channel, String country, Instant createdAt) {}

    /**
     * Ended verifications not yet stripped, last changed before {@code cutoff}, oldest first; of one app only
     * when {@code appId} is not {@code null}.
     */
    List<Ended> endedBefore(String appId, Instant cutoff, int limit) {
        return jdbc.sql("select id, app_id, status, channel, destination_country, created_at from verifications "
                        + "where purged_at is null and status <> 'pending' and updated_at < :cutoff "
                        + (appId == null ? "" : "and app_id = :app ") + "order by updated_at limit :limit")
                .param("cutoff", Timestamp.from(cutoff)).param("limit", limit)
                .params(appId == null ? Map.of() : Map.of("app", appId))
                .query((rs, row) -> new Ended(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getTimestamp(6).toInstant()))
                .list();
    }

    /** The subject's verifications not yet stripped, pending ones included. */
    List<Ended> verificationsOf(Subject subject) {
        return jdbc.sql("select id, app_id, status, channel, destination_country, created_at from verifications "
                        + "where destination_index in (:indexes) and purged_at is null"
                        + (subject.appId() == null ? "" : " and app_id = :app") + " order by created_at")
                .param("indexes", subject.indexes())
                .params(appParam(subject))
                .query((rs, row) -> new Ended(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getTimestamp(6).toInstant()))
                .list();
    }

    /** Ends the pending ones among {@code ids} as canceled ({@code erased}) and takes back their queued messages. */
    int cancelPending(List<String> ids, Instant now) {
        if (ids.isEmpty()) {
            return 0;
        }
        int withdrawn = 0;
        for (String id : ids) {
            withdrawn += jdbc.sql("delete from scheduled_tasks where task_name = :task and task_instance like :instance "
                            + "escape '!' and picked = false")
                    .param("task", DELIVERY_TASK).param("instance", likePrefix(id)).update();
        }
        jdbc.sql("update verifications set status = 'canceled', failure_reason = 'erased', updated_at = :now "
                        + "where id in (:ids) and status = 'pending'")
                .param("now", Timestamp.from(now)).param("ids", ids).update();
        return withdrawn;
    }

    /** What one strip removed. */
    record Stripped(int verifications, int deliverySteps, int idempotencyRecords) {}

    /**
     * Counts {@code rows} into the daily aggregates, then removes their personal data: the verification keeps
     * its status, channel, country and times; its delivery steps lose the provider's message id; its
     * idempotency records go. Runs in the caller's transaction.
     */
    Stripped strip(List<Ended> rows, Instant now) {
        if (rows.isEmpty()) {
            return new Stripped(0, 0, 0);
        }
        List<String> ids = rows.stream().map(Ended::id).toList();
        int verifications = jdbc.sql("update verifications set destination_ciphertext = null, destination_index = null, "
                        + "destination_masked = :mask, destination_prefix = null, end_user_ciphertext = null, "
                        + "transaction_json = null, purged_at = :now where id in (:ids) and purged_at is null")
                .param("mask", STRIPPED_MASK).param("now", Timestamp.from(now)).param("ids", ids).update();
        int steps = jdbc.sql("update delivery_steps set provider_message_id = null where verification_id in (:ids) "
                        + "and provider_message_id is not null")
                .param("ids", ids).update();
        int idempotency = jdbc.sql("delete from idempotency_keys where verification_id in (:ids)").param("ids", ids).update();
        count(rows);
        return new Stripped(verifications, steps, idempotency);
    }

    private void count(List<Ended> rows) {
        Map<List<String>, Long> groups = rows.stream().collect(Collectors.groupingBy(row -> List.of(row.appId(),
                LocalDate.ofInstant(row.createdAt(), ZoneOffset.UTC).toString(), row.channel(),
                row.country() == null ? "" : row.country(), row.status()), Collectors.counting()));
        groups.forEach((group, total) -> {
            Map<String, Object> key = new HashMap<>(Map.of("app", group.get(0), "day", LocalDate.parse(group.get(1)),
                    "channel", group.get(2), "country", group.get(3), "status", group.get(4), "total", total));
            int updated = jdbc.sql("update verification_daily_counts set total = total + :total where app_id = :app "
                            + "and count_day = :day and channel = :channel and country = :country and status = :status")
                    .params(key).update();
            if (updated == 0) {
                jdbc.sql("insert into verification_daily_counts (app_id, count_day, channel, country, status, total) "
                                + "values (:app, :day, :channel, :country, :status, :total)")
                        .params(key).update();
            }
        });
    }

    /** The apps with a retention window of their own, and that window. */
    Map<String, java.time.Duration> appRetentions() {
        return jdbc.sql("select app_id, retention_seconds from privacy_app_retention")
                .query((rs, row) -> Map.entry(rs.getString(1), java.time.Duration.ofSeconds(rs.getLong(2)))).list()
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    java.util.Optional<java.time.Duration> appRetention(String appId) {
        return jdbc.sql("select retention_seconds from privacy_app_retention where app_id = ?").param(appId)
                .query(Long.class).optional().map(java.time.Duration::ofSeconds);
    }

    /** Sets ({@code retention} not {@code null}) or clears an app's own window; false when the app does not exist. */
    boolean setAppRetention(String appId, java.time.Duration retention, Instant now) {
        if (jdbc.sql("select count(*) from apps where id = ?").param(appId).query(Long.class).single() == 0) {
            return false;
        }
        jdbc.sql("delete from privacy_app_retention where app_id = ?").param(appId).update();
        if (retention != null) {
            jdbc.sql("insert into privacy_app_retention (app_id, retention_seconds, updated_at) values (?, ?, ?)")
                    .params(appId, retention.toSeconds(), Timestamp.from(now)).update();
        }
        return true;
    }

    /** Dev-inbox messages older than {@code cutoff} (the dev inbox's own, shorter, retention usually got there first). */
    int deleteDevMessagesBefore(Instant cutoff) {
        return jdbc.sql("delete from dev_messages where created_at < ?").param(Timestamp.from(cutoff)).update();
    }

    /** Dev-inbox messages to {@code recipient} (normalised), which hold it and a code in clear. */
    int deleteDevMessages(String recipient) {
        return jdbc.sql("delete from dev_messages where lower(recipient) = :recipient")
                .param("recipient", recipient).update();
    }

    /** The TOTP factors of {@code account}; their recovery codes go with them. */
    int deleteFactors(Subject subject) {
        return jdbc.sql("delete from totp_factors where account = :account" + (subject.appId() == null ? "" : " and app_id = :app"))
                .param("account", subject.account()).params(appParam(subject)).update();
    }

    private static String likePrefix(String id) {
        return id.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "-%";
    }

    private static Map<String, Object> appParam(Subject subject) {
        return subject.appId() == null ? Map.of() : Map.of("app", subject.appId());
    }
}
