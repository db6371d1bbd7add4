package dev.otpgate.totp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Explicit SQL for factors. Accepting a step is one conditional update on {@code last_step < step}, so a
 * replayed or concurrently presented code is accepted exactly once (S-19).
 */
@Repository
class TotpFactorRepository {

    private static final String COLUMNS = "id, app_id, account, issuer, algorithm, digits, period_seconds, "
            + "seed_ciphertext, status, last_step, failures, lock_level, locked_until, created_at, updated_at, "
            + "activated_at, expires_at";

    private final JdbcClient jdbc;

    TotpFactorRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(TotpFactor f) {
        jdbc.sql("insert into totp_factors (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(f.id(), f.appId(), f.account(), f.issuer(), f.algorithm().name(), f.digits(), f.periodSeconds(),
                        f.seedCiphertext(), f.status().value(), f.lastStep(), f.failures(), f.lockLevel(),
                        ts(f.lockedUntil()), ts(f.createdAt()), ts(f.updatedAt()), ts(f.activatedAt()), ts(f.expiresAt()))
                .update();
    }

    Optional<TotpFactor> find(String appId, String id) {
        return jdbc.sql("select " + COLUMNS + " from totp_factors where id = ? and app_id = ?")
                .params(id, appId).query(TotpFactorRepository::map).optional();
    }

    List<TotpFactor> findByAccount(String appId, String account) {
        return jdbc.sql("select " + COLUMNS + " from totp_factors where app_id = ? and account = ? order by created_at, id")
                .params(appId, account).query(TotpFactorRepository::map).list();
    }

    /** Accepts {@code step} when it is after the last accepted one and the factor is not locked. */
    boolean accept(String id, TotpFactor.Status expected, long step, Instant now) {
        return jdbc.sql("update totp_factors set last_step = ?, failures = 0, lock_level = 0, locked_until = null, "
                        + "status = 'active', activated_at = coalesce(activated_at, ?), expires_at = null, updated_at = ? "
                        + "where id = ? and status = ? and (last_step is null or last_step < ?) "
                        + "and (locked_until is null or locked_until <= ?)")
                .params(step, ts(now), ts(now), id, expected.value(), step, ts(now)).update() == 1;
    }

    /**
     * Counts a failure; the one that reaches {@code maxFailures} locks the factor until {@code lockUntil} and
     * starts a new count. Failures while locked are not counted: the lock already refuses them.
     */
    boolean recordFailure(String id, int maxFailures, Instant lockUntil, Instant now) {
        return jdbc.sql("update totp_factors set "
                        + "locked_until = case when failures + 1 >= ? then ? else locked_until end, "
                        + "lock_level = case when failures + 1 >= ? then lock_level + 1 else lock_level end, "
                        + "failures = case when failures + 1 >= ? then 0 else failures + 1 end, updated_at = ? "
                        + "where id = ? and (locked_until is null or locked_until <= ?)")
                .params(maxFailures, ts(lockUntil), maxFailures, maxFailures, ts(now), id, ts(now)).update() == 1;
    }

    void replaceSeed(String id, byte[] seedCiphertext) {
        jdbc.sql("update totp_factors set seed_ciphertext = ? where id = ?").params(seedCiphertext, id).update();
    }

    boolean delete(String appId, String id) {
        return jdbc.sql("delete from totp_factors where id = ? and app_id = ?").params(id, appId).update() == 1;
    }

    int deleteExpiredUnverified(Instant now) {
        return jdbc.sql("delete from totp_factors where status = 'unverified' and expires_at <= ?").param(ts(now)).update();
    }

    List<String> ids(String afterId, int limit) {
        return jdbc.sql("select id from totp_factors where id > ? order by id limit ?")
                .params(afterId, limit).query(String.class).list();
    }

    Optional<byte[]> seedCiphertext(String id) {
        return jdbc.sql("select seed_ciphertext from totp_factors where id = ?").param(id).query(byte[].class).optional();
    }

    void insertRecoveryCode(String factorId, byte[] codeHash) {
        jdbc.sql("insert into totp_recovery_codes (factor_id, code_hash) values (?, ?)").params(factorId, codeHash).update();
    }

    /** Burns an unused recovery code; true exactly once per code (S-41). */
    boolean useRecoveryCode(String factorId, byte[] codeHash, Instant now) {
        return jdbc.sql("update totp_recovery_codes set used_at = ? where factor_id = ? and code_hash = ? and used_at is null")
                .params(ts(now), factorId, codeHash).update() == 1;
    }

    int unusedRecoveryCodes(String factorId) {
        return jdbc.sql("select count(*) from totp_recovery_codes where factor_id = ? and used_at is null")
                .param(factorId).query(Integer.class).single();
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static TotpFactor map(ResultSet rs, int row) throws SQLException {
        long stored = rs.getLong("last_step");
        Long lastStep = rs.wasNull() ? null : stored;
        return new TotpFactor(rs.getString("id"), rs.getString("app_id"), rs.getString("account"), rs.getString("issuer"),
                OtpAlgorithm.of(rs.getString("algorithm")), rs.getInt("digits"), rs.getInt("period_seconds"),
                rs.getBytes("seed_ciphertext"), TotpFactor.Status.valueOf(rs.getString("status").toUpperCase(java.util.Locale.ROOT)),
                lastStep, rs.getInt("failures"), rs.getInt("lock_level"), instant(rs, "locked_until"),
                instant(rs, "created_at"), instant(rs, "updated_at"), instant(rs, "activated_at"), instant(rs, "expires_at"));
    }
}
