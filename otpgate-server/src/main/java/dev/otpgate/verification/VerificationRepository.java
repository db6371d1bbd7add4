package dev.otpgate.verification;

import dev.otpgate.privacy.EndUsers;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import dev.otpgate.platform.ReturningUpdates;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Explicit SQL for verifications. Every state change is a conditional update on {@code status = 'pending'}
 * (and, where a code is involved, on its step), so that concurrent checks, resends and cancels on any number
 * of nodes serialise on the row and exactly one of them wins (S-10, S-12, S-15). Every write that starts, gives a
 * new code to or ends a verification also keeps or drops this node's {@link CheckCache} copy, so no path forgets to.
 */
@Repository
class VerificationRepository {

    private static final String COLUMNS = "id, app_id, status, channel, destination_type, destination_ciphertext, "
            + "destination_index, destination_masked, code_hash, code_step, attempts, max_attempts, send_count, "
            + "max_sends, resend_cooldown_seconds, code_ttl_seconds, locale, transaction_json, "
            + "end_user_ciphertext, delivery_status, delivery_error, failure_reason, created_at, updated_at, expires_at, "
            + "last_sent_at, approved_at, workflow_json, workflow_index, phone_blocked, test_destination, "
            + "destination_country, destination_prefix, app_hash";

    private final JdbcClient jdbc;
    private final EndUsers endUsers;
    private final CheckCache cache;

    private final String wrongGuess;
    /** By whether the transaction payload is null: {@code [null, present]}. */
    private final String[] approveStatements;
    private final String[] countGuessStatements;

    VerificationRepository(JdbcClient jdbc, EndUsers endUsers, ReturningUpdates returning, CheckCache cache) {
        this.jdbc = jdbc;
        this.endUsers = endUsers;
        this.cache = cache;
        this.wrongGuess = returning.sql("update verifications set attempts = attempts + 1, updated_at = ?, "
                + "status = case when attempts + 1 >= max_attempts then 'failed' else status end, "
                + "failure_reason = case when attempts + 1 >= max_attempts then 'max-attempts' else failure_reason end "
                + "where id = ? and status = 'pending' and expires_at > ? and attempts < max_attempts", COLUMNS);
        this.approveStatements = new String[2];
        this.countGuessStatements = new String[2];
        for (int present = 0; present < 2; present++) {
            String material = "where id = ? and app_id = ? and status = 'pending' and code_step = ? and code_hash = ? and "
                    + (present == 1 ? "transaction_json = ?" : "transaction_json is null") + " and expires_at > ? and ";
            approveStatements[present] = returning.sql("update verifications set status = 'approved', approved_at = ?, "
                    + "updated_at = ? " + material + "attempts < max_attempts", COLUMNS);
            countGuessStatements[present] = returning.sql("update verifications set attempts = attempts + 1, updated_at = ? "
                    + material + "attempts + 1 < max_attempts", "attempts, max_attempts");
        }
    }

    void insert(Verification v) {
        jdbc.sql("insert into verifications (" + COLUMNS + ") values "
                        + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(v.id(), v.appId(), v.status().value(), v.channel(), v.destinationType(),
                        v.destinationCiphertext(), v.destinationIndex(), v.destinationMasked(), v.codeHash(),
                        v.codeStep(), v.attempts(), v.maxAttempts(), v.sendCount(), v.maxSends(),
                        v.resendCooldownSeconds(), v.codeTtlSeconds(), v.locale(), v.transactionJson(),
                        endUsers.seal(v.id(), v.endUserIp(), v.endUserAgent()), v.deliveryStatus(), v.deliveryError(), v.failureReason(), ts(v.createdAt()),
                        ts(v.updatedAt()), ts(v.expiresAt()), ts(v.lastSentAt()), ts(v.approvedAt()), v.workflowJson(),
                        v.workflowIndex(), v.phoneBlocked(), v.testDestination(), v.destinationCountry(),
                        v.destinationPrefix(), v.appHash())
                .update();
        cache.remember(CheckCache.Material.of(v));
    }

    /** This node's copy of a pending verification's check material, if it holds one ({@link CheckCache}). */
    Optional<CheckCache.Material> cached(String appId, String id, Instant now) {
        return cache.find(appId, id, now);
    }

    /** Drops a copy the database no longer agrees with. */
    void forgetCached(CheckCache.Material material) {
        cache.forget(material);
    }

    /** By id within one app: another app's id reads exactly like an unknown one (S-14, S-28). */
    Optional<Verification> find(String appId, String id) {
        return jdbc.sql("select " + COLUMNS + " from verifications where id = ? and app_id = ?")
                .params(id, appId).query(this::map).optional();
    }

    Optional<Verification> find(String id) {
        return jdbc.sql("select " + COLUMNS + " from verifications where id = ?")
                .param(id).query(this::map).optional();
    }

    /**
     * The app's newest pending verification for a destination, by its blind indexes under every index key in play:
     * one statement either way, an {@code IN} of two only while an index-key rotation is under way.
     */
    Optional<Verification> findPendingByDestination(String appId, List<byte[]> destinationIndexes) {
        return jdbc.sql("select " + COLUMNS + " from verifications where app_id = :app and destination_index in (:indexes) "
                        + "and status = 'pending' order by created_at desc limit 1")
                .param("app", appId).param("indexes", destinationIndexes).query(this::map).optional();
    }

    /**
     * Approves while the row holds exactly what the code was compared with ({@code material}: its app, step, tag and
     * transaction payload) and is pending, unexpired and within its attempts, so that a copy of the row older than
     * a resend, a guess that used the last attempt, a cancel or an erasure on another node approves nothing (S-04,
     * S-10, S-11, S-12). Answers the approved row from the same statement, or empty when nothing changed.
     */
    Optional<Verification> approve(CheckCache.Material material, Instant now) {
        Optional<Verification> approved = jdbc.sql(approveStatements[material.transactionJson() == null ? 0 : 1])
                .params(materialParams(material, now, ts(now), ts(now))).query(this::map).optional();
        approved.ifPresent(row -> cache.forget(row.id()));
        return approved;
    }

    /**
     * Counts a wrong guess under the same conditions as {@link #approve}, and only one that leaves an attempt: the
     * guess that would fail the verification is not counted here, since failing it publishes an event in a
     * transaction ({@link #recordWrongGuess}). Needs no transaction of its own: it changes one counter and nothing
     * else. Answers the attempts left, or empty when nothing changed.
     */
    Optional<Integer> countCachedGuess(CheckCache.Material material, Instant now) {
        return jdbc.sql(countGuessStatements[material.transactionJson() == null ? 0 : 1])
                .params(materialParams(material, now, ts(now)))
                .query((rs, row) -> rs.getInt("max_attempts") - rs.getInt("attempts")).optional();
    }

    private static Object[] materialParams(CheckCache.Material material, Instant now, Object... set) {
        java.util.List<Object> params = new java.util.ArrayList<>(List.of(set));
        params.add(material.id());
        params.add(material.appId());
        params.add(material.codeStep());
        params.add(material.codeHash());
        if (material.transactionJson() != null) {
            params.add(material.transactionJson());
        }
        params.add(ts(now));
        return params.toArray();
    }

    /**
     * Counts one wrong guess; the guess that reaches {@code max_attempts} also fails the verification, and no
     * guess is counted after that, however many arrive at once (S-12). Answers the verification as the guess
     * left it, from the same statement, or empty when the guess was not counted (no longer pending, expired or
     * out of attempts).
     */
    Optional<Verification> recordWrongGuess(String id, Instant now) {
        Optional<Verification> counted = jdbc.sql(wrongGuess).params(ts(now), id, ts(now)).query(this::map).optional();
        counted.filter(row -> row.status() != VerificationStatus.PENDING).ifPresent(row -> cache.forget(row.id()));
        return counted;
    }

    /**
     * A resend asked by the client: bounded by the send cap and the cooldown. The new code's step is
     * {@code newStep}; the steps between the current one and it were skipped.
     */
    boolean newCode(Verification current, int newStep, byte[] codeHash, String channel, int workflowIndex,
            Instant now, Instant expiresAt, Instant sentBefore) {
        String id = current.id();
        int currentStep = current.codeStep();
        return replaced(current, newStep, codeHash, expiresAt, jdbc.sql("update verifications set code_hash = ?, code_step = ?, send_count = send_count + 1, "
                        + "channel = ?, workflow_index = ?, last_sent_at = ?, expires_at = ?, updated_at = ?, "
                        + "delivery_status = 'queued', delivery_error = null where id = ? and status = 'pending' "
                        + "and code_step = ? and send_count < max_sends and last_sent_at <= ? and expires_at > ?")
                .params(codeHash, newStep, channel, workflowIndex, ts(now), ts(expiresAt), ts(now), id, currentStep,
                        ts(sentBefore), ts(now))
                .update() == 1);
    }

    /**
     * The workflow moving on by itself (timeout, failure, undelivered): not bounded by the client's send cap
     * or cooldown, and allowed after the step's code expired, since the next step brings a new one.
     */
    boolean nextStep(Verification current, int newStep, byte[] codeHash, String channel, int workflowIndex,
            Instant now, Instant expiresAt) {
        String id = current.id();
        int currentStep = current.codeStep();
        return replaced(current, newStep, codeHash, expiresAt, jdbc.sql("update verifications set code_hash = ?, code_step = ?, send_count = send_count + 1, "
                        + "channel = ?, workflow_index = ?, last_sent_at = ?, expires_at = ?, updated_at = ?, "
                        + "delivery_status = 'queued', delivery_error = null where id = ? and status = 'pending' "
                        + "and code_step = ?")
                .params(codeHash, newStep, channel, workflowIndex, ts(now), ts(expiresAt), ts(now), id, currentStep)
                .update() == 1);
    }

    /** Keeps the new code's material on this node once the replacement commits. */
    private boolean replaced(Verification current, int newStep, byte[] codeHash, Instant expiresAt, boolean changed) {
        if (changed) {
            CheckCache.Material was = CheckCache.Material.of(current);
            cache.remember(new CheckCache.Material(was.id(), was.appId(), newStep, codeHash, was.transactionJson(),
                    was.testDestination(), was.destinationIndex(), was.destinationCiphertext(), expiresAt));
        } else {
            cache.forget(current.id());
        }
        return changed;
    }

    /**
     * A step the SIM-swap check stopped before it was sent: it is recorded as skipped and the phone channels are
     * blocked for the verification. A late report of an older step changes nothing.
     */
    boolean recordPhoneBlocked(String id, int step, String reason, Instant now) {
        return jdbc.sql("update verifications set delivery_status = 'skipped', delivery_error = ?, updated_at = ?, "
                        + "phone_blocked = true where id = ? and code_step = ?")
                .params(reason, ts(now), id, step).update() == 1;
    }

    boolean finish(String id, VerificationStatus status, String reason, Instant now) {
        String expiry = status == VerificationStatus.EXPIRED ? " and expires_at <= ?" : "";
        var statement = jdbc.sql("update verifications set status = ?, failure_reason = ?, updated_at = ? "
                        + "where id = ? and status = 'pending'" + expiry)
                .params(status.value(), reason, ts(now), id);
        if (!expiry.isEmpty()) {
            statement = statement.param(ts(now));
        }
        // Dropped whether or not this update wins: a verification being ended is of no use to a check as copied.
        cache.forget(id);
        return statement.update() == 1;
    }

    /** Records a send outcome, but only for the step it belongs to: a late report of an old step changes nothing. */
    boolean recordDelivery(String id, int step, String deliveryStatus, String error, Instant now) {
        return jdbc.sql("update verifications set delivery_status = ?, delivery_error = ?, updated_at = ? "
                        + "where id = ? and code_step = ?")
                .params(deliveryStatus, error, ts(now), id, step).update() == 1;
    }

    List<Verification> findExpiredPending(Instant now, int limit) {
        return jdbc.sql("select " + COLUMNS + " from verifications where status = 'pending' and expires_at <= ? "
                        + "order by expires_at limit ?")
                .params(ts(now), limit).query(this::map).list();
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private Verification map(ResultSet rs, int row) throws SQLException {
        EndUsers.EndUser endUser = endUsers.open(rs.getString("id"), rs.getBytes("end_user_ciphertext"));
        return new Verification(rs.getString("id"), rs.getString("app_id"), VerificationStatus.of(rs.getString("status")),
                rs.getString("channel"), rs.getString("destination_type"), rs.getBytes("destination_ciphertext"),
                rs.getBytes("destination_index"), rs.getString("destination_masked"), rs.getBytes("code_hash"),
                rs.getInt("code_step"), rs.getInt("attempts"), rs.getInt("max_attempts"), rs.getInt("send_count"),
                rs.getInt("max_sends"), rs.getInt("resend_cooldown_seconds"), rs.getInt("code_ttl_seconds"),
                rs.getString("locale"), rs.getString("transaction_json"), endUser.ip(),
                endUser.userAgent(), rs.getString("delivery_status"), rs.getString("delivery_error"),
                rs.getString("failure_reason"), instant(rs, "created_at"), instant(rs, "updated_at"),
                instant(rs, "expires_at"), instant(rs, "last_sent_at"), instant(rs, "approved_at"),
                rs.getString("workflow_json"), rs.getInt("workflow_index"), rs.getBoolean("phone_blocked"),
                rs.getBoolean("test_destination"), rs.getString("destination_country"), rs.getString("destination_prefix"),
                rs.getString("app_hash"));
    }
}
