package dev.otpgate.fraud;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The fraud tables. Only background jobs and the blocks API call it, never a start. */
@Repository
class FraudRepository {

    private final JdbcClient jdbc;

    FraudRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record CountRow(String appId, String prefix, String country, long minute, int starts, int approvals) {}

    /** Adds to one per-minute bucket; every node adds to the same row. */
    void addCounts(String appId, String prefix, String country, long minute, int starts, int approvals) {
        String update = "update fraud_counts set starts = starts + ?, approvals = approvals + ? "
                + "where app_id = ? and prefix = ? and bucket_minute = ?";
        if (jdbc.sql(update).params(starts, approvals, appId, prefix, minute).update() > 0) {
            return;
        }
        try {
            jdbc.sql("insert into fraud_counts (app_id, prefix, country, bucket_minute, starts, approvals) values (?, ?, ?, ?, ?, ?)")
                    .params(appId, prefix, country, minute, starts, approvals).update();
        } catch (DuplicateKeyException e) {
            jdbc.sql(update).params(starts, approvals, appId, prefix, minute).update();
        }
    }

    List<CountRow> countsSince(long minute) {
        return jdbc.sql("select app_id, prefix, country, bucket_minute, starts, approvals from fraud_counts where bucket_minute >= ?")
                .param(minute)
                .query((rs, n) -> new CountRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getInt(5), rs.getInt(6)))
                .list();
    }

    void deleteCountsBefore(long minute) {
        jdbc.sql("delete from fraud_counts where bucket_minute < ?").param(minute).update();
    }

    void addSpend(String appId, LocalDate day, BigDecimal amount) {
        String update = "update fraud_spend set amount = amount + ? where app_id = ? and spend_day = ?";
        if (jdbc.sql(update).params(amount, appId, Date.valueOf(day)).update() > 0) {
            return;
        }
        try {
            jdbc.sql("insert into fraud_spend (app_id, spend_day, amount) values (?, ?, ?)")
                    .params(appId, Date.valueOf(day), amount).update();
        } catch (DuplicateKeyException e) {
            jdbc.sql(update).params(amount, appId, Date.valueOf(day)).update();
        }
    }

    Map<String, BigDecimal> spendOn(LocalDate day) {
        Map<String, BigDecimal> out = new HashMap<>();
        jdbc.sql("select app_id, amount from fraud_spend where spend_day = ?").param(Date.valueOf(day))
                .query((ResultSet rs) -> {
                    out.put(rs.getString(1), rs.getBigDecimal(2));
                });
        return out;
    }

    void deleteSpendBefore(LocalDate day) {
        jdbc.sql("delete from fraud_spend where spend_day < ?").param(Date.valueOf(day)).update();
    }

    /** Records that an app sent to a country; false when it had before. */
    boolean addCountry(String appId, String country, Instant at) {
        if (jdbc.sql("select count(*) from fraud_countries where app_id = ? and country = ?").params(appId, country)
                .query(Integer.class).single() > 0) {
            return false;
        }
        try {
            jdbc.sql("insert into fraud_countries (app_id, country, first_seen) values (?, ?, ?)")
                    .params(appId, country, Timestamp.from(at)).update();
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    /** (app, country) pairs first seen at or after {@code since}. */
    Map<String, Instant> countriesFirstSeenSince(Instant since) {
        Map<String, Instant> out = new HashMap<>();
        jdbc.sql("select app_id, country, first_seen from fraud_countries where first_seen >= ?").param(Timestamp.from(since))
                .query((ResultSet rs) -> {
                    out.put(rs.getString(1) + "|" + rs.getString(2), rs.getTimestamp(3).toInstant());
                });
        return out;
    }

    /** Apps that sent to some country before {@code since}: only they have a history a new country stands out from. */
    java.util.Set<String> appsWithHistoryBefore(Instant since) {
        return new java.util.HashSet<>(jdbc.sql("select distinct app_id from fraud_countries where first_seen < ?")
                .param(Timestamp.from(since)).query(String.class).list());
    }

    void insertFlag(FraudFlag flag) {
        jdbc.sql("""
                insert into fraud_flags (id, app_id, reason, action, prefix, country, starts, approvals, baseline, factor,
                    created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(flag.id(), flag.appId(), flag.reason(), flag.action(), flag.prefix(), flag.country(), flag.starts(),
                        flag.approvals(), flag.baseline(), flag.factor(), Timestamp.from(flag.createdAt()),
                        flag.expiresAt() == null ? null : Timestamp.from(flag.expiresAt()))
                .update();
    }

    /** Blocks that have neither expired nor been lifted. */
    List<FraudFlag> activeBlocks(Instant now) {
        return jdbc.sql("select * from fraud_flags where action = 'blocked' and lifted_at is null and expires_at > ?")
                .param(Timestamp.from(now)).query(FraudRepository::flag).list();
    }

    /** Flags created or lifted at or after {@code since}: causes the detector must not flag again yet. */
    List<FraudFlag> recentFlags(Instant since) {
        return jdbc.sql("select * from fraud_flags where created_at >= ? or lifted_at >= ?")
                .params(Timestamp.from(since), Timestamp.from(since)).query(FraudRepository::flag).list();
    }

    /** Newest first; {@code appId} null: every app. */
    List<FraudFlag> list(String appId, int limit) {
        if (appId == null) {
            return jdbc.sql("select * from fraud_flags order by created_at desc, id desc limit ?").param(limit)
                    .query(FraudRepository::flag).list();
        }
        return jdbc.sql("select * from fraud_flags where app_id = ? order by created_at desc, id desc limit ?")
                .params(appId, limit).query(FraudRepository::flag).list();
    }

    Optional<FraudFlag> find(String id) {
        return jdbc.sql("select * from fraud_flags where id = ?").param(id).query(FraudRepository::flag).optional();
    }

    void lift(String id, String by, Instant at) {
        jdbc.sql("update fraud_flags set lifted_at = ?, lifted_by = ? where id = ? and lifted_at is null")
                .params(Timestamp.from(at), by, id).update();
    }

    private static FraudFlag flag(ResultSet rs, int row) throws SQLException {
        Timestamp expires = rs.getTimestamp("expires_at");
        Timestamp lifted = rs.getTimestamp("lifted_at");
        return new FraudFlag(rs.getString("id"), rs.getString("app_id"), rs.getString("reason"), rs.getString("action"),
                rs.getString("prefix"), rs.getString("country"), rs.getInt("starts"), rs.getInt("approvals"),
                rs.getBigDecimal("baseline"), rs.getBigDecimal("factor"), rs.getTimestamp("created_at").toInstant(),
                expires == null ? null : expires.toInstant(), lifted == null ? null : lifted.toInstant(),
                rs.getString("lifted_by"));
    }
}
