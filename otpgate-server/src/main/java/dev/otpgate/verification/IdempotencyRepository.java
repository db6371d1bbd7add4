package dev.otpgate.verification;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code Idempotency-Key} records: a key names one start for 24 hours. */
@Repository
class IdempotencyRepository {

    record Entry(byte[] requestHash, String verificationId, Instant createdAt) {}

    private final JdbcClient jdbc;

    IdempotencyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Entry> find(String appId, String key) {
        return jdbc.sql("select request_hash, verification_id, created_at from idempotency_keys "
                        + "where app_id = ? and idempotency_key = ?")
                .params(appId, key)
                .query((rs, row) -> new Entry(rs.getBytes(1), rs.getString(2), rs.getTimestamp(3).toInstant()))
                .optional();
    }

    void insert(String appId, String key, byte[] requestHash, String verificationId, Instant now) {
        jdbc.sql("insert into idempotency_keys (app_id, idempotency_key, request_hash, verification_id, created_at) "
                        + "values (?, ?, ?, ?, ?)")
                .params(appId, key, requestHash, verificationId, Timestamp.from(now))
                .update();
    }

    int deleteOlderThan(Instant cutoff) {
        return jdbc.sql("delete from idempotency_keys where created_at < ?").param(Timestamp.from(cutoff)).update();
    }

    void delete(String appId, String key, Instant cutoff) {
        jdbc.sql("delete from idempotency_keys where app_id = ? and idempotency_key = ? and created_at < ?")
                .params(appId, key, Timestamp.from(cutoff)).update();
    }
}
