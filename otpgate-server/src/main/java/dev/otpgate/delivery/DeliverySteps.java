package dev.otpgate.delivery;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The {@code delivery_steps} table as the rest of otpgate sees it: one row per step of a verification, read for
 * the API, and written here for the steps the workflow's owner skipped, withdrew or ended. The worker and the
 * receipts write the outcomes of sends themselves, inside this module.
 */
@Component
public class DeliverySteps {

    /**
     * A step as the API shows it.
     *
     * @param status where the step's message stands
     * @param reason why it failed, was skipped or ended, without secrets
     * @param providersTried providers tried before the one that took it, each with its failure
     */
    public record Step(int step, String channel, String provider, StepStatus status, String reason, Integer segments,
            String encoding, List<String> providersTried, Instant queuedAt, Instant sentAt, Instant deliveredAt) {}

    private final JdbcClient jdbc;
    private final Clock clock;

    DeliverySteps(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A verification's steps, oldest first. A step queued but not yet taken up by a worker has no row yet. */
    public List<Step> forVerification(String verificationId) {
        return jdbc.sql("select step, channel, provider, status, reason, segments, encoding, providers_tried, queued_at, "
                        + "sent_at, delivered_at from delivery_steps where verification_id = ? order by step")
                .param(verificationId)
                .query((rs, row) -> new Step(rs.getInt("step"), rs.getString("channel"), rs.getString("provider"),
                        StepStatus.of(rs.getString("status")), rs.getString("reason"), (Integer) rs.getObject("segments"),
                        rs.getString("encoding"), tried(rs.getString("providers_tried")), instant(rs.getTimestamp("queued_at")),
                        instant(rs.getTimestamp("sent_at")), instant(rs.getTimestamp("delivered_at"))))
                .list();
    }

    /**
     * Records steps that were never sent because a send rule refused their channels, numbered from
     * {@code firstStep}; each reason is the rule's problem type. Runs in the caller's transaction.
     *
     * @param skipped channel and reason of each step, in order
     */
    public void skipped(String verificationId, int firstStep, String appId, List<Skipped> skipped) {
        for (int i = 0; i < skipped.size(); i++) {
            skipped(verificationId, firstStep + i, appId, skipped.get(i).channel(), skipped.get(i).reason());
        }
    }

    /** A step a send rule refused: its channel and the rule's problem type. */
    public record Skipped(String channel, String reason) {}

    private void skipped(String verificationId, int step, String appId, String channel, String reason) {
        Timestamp now = ts(clock.instant());
        jdbc.sql("insert into delivery_steps (verification_id, step, app_id, channel, status, reason, queued_at, updated_at) "
                        + "values (?, ?, ?, ?, 'skipped', ?, ?, ?)")
                .params(verificationId, step, appId, channel, truncate(reason, 200), now, now)
                .update();
    }

    /**
     * Records a step whose message was withdrawn before a worker sent it (its code was replaced, or its
     * verification ended), so every step a verification had stays visible. A step with a record of its own
     * (retrying, or already sent by a worker that won the race) keeps it, unless it was still queued.
     */
    void superseded(String verificationId, int step, String appId, String channel, String reason) {
        Timestamp now = ts(clock.instant());
        int updated = jdbc.sql("update delivery_steps set status = 'skipped', reason = ?, updated_at = ? "
                        + "where verification_id = ? and step = ? and status = 'queued'")
                .params(truncate(reason, 200), now, verificationId, step).update();
        if (updated == 0) {
            jdbc.sql("insert into delivery_steps (verification_id, step, app_id, channel, status, reason, queued_at, updated_at) "
                            + "select ?, ?, ?, ?, 'skipped', ?, ?, ? where not exists "
                            + "(select 1 from delivery_steps where verification_id = ? and step = ?)")
                    .params(verificationId, step, appId, channel, truncate(reason, 200), now, now, verificationId, step)
                    .update();
        }
    }

    /** Notes why a step ended without a status of its own changing (a timeout, the client skipping ahead). */
    public void ended(String verificationId, int step, String reason) {
        jdbc.sql("update delivery_steps set reason = coalesce(reason, ?), updated_at = ? where verification_id = ? and step = ?")
                .params(reason, ts(clock.instant()), verificationId, step).update();
    }

    private static List<String> tried(String value) {
        return value == null ? List.of() : List.of(value.split("; "));
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    private static Instant instant(Timestamp value) {
        return value == null ? null : value.toInstant();
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
