package dev.otpgate.apps;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

@Repository
class AppRepository {

    private static final String COLUMNS = "id, name, brand, code_length, code_ttl_seconds, max_attempts, max_sends, "
            + "resend_cooldown_seconds, allowed_channels, default_channel, locale, totp_skew_steps, totp_max_failures, "
            + "delivery_settings, defence_settings, created_at, updated_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AppRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(App app) {
        jdbc.sql("insert into apps (" + COLUMNS + ") values (:id, :name, :brand, :codeLength, :ttl, :attempts, "
                        + ":sends, :cooldown, :channels, :defaultChannel, :locale, :skew, :totpFailures, :delivery, :defences, :createdAt, :updatedAt)")
                .params(params(app))
                .update();
    }

    boolean update(App app) {
        return jdbc.sql("update apps set name = :name, brand = :brand, code_length = :codeLength, "
                        + "code_ttl_seconds = :ttl, max_attempts = :attempts, max_sends = :sends, "
                        + "resend_cooldown_seconds = :cooldown, allowed_channels = :channels, "
                        + "default_channel = :defaultChannel, locale = :locale, totp_skew_steps = :skew, "
                        + "totp_max_failures = :totpFailures, delivery_settings = :delivery, defence_settings = :defences, "
                        + "updated_at = :updatedAt where id = :id")
                .params(params(app))
                .update() == 1;
    }

    Optional<App> find(String id) {
        return jdbc.sql("select " + COLUMNS + " from apps where id = ?").param(id).query(this::map).optional();
    }

    List<App> findAll() {
        return jdbc.sql("select " + COLUMNS + " from apps order by created_at, id").query(this::map).list();
    }

    boolean delete(String id) {
        return jdbc.sql("delete from apps where id = ?").param(id).update() == 1;
    }

    private java.util.Map<String, Object> params(App app) {
        java.util.Map<String, Object> p = new java.util.HashMap<>();
        p.put("id", app.id());
        p.put("name", app.name());
        p.put("brand", app.brand());
        p.put("codeLength", app.codeLength());
        p.put("ttl", app.codeTtlSeconds());
        p.put("attempts", app.maxAttempts());
        p.put("sends", app.maxSends());
        p.put("cooldown", app.resendCooldownSeconds());
        p.put("channels", String.join(",", app.allowedChannels()));
        p.put("defaultChannel", app.defaultChannel());
        p.put("locale", app.locale());
        p.put("skew", app.totpSkewSteps());
        p.put("totpFailures", app.totpMaxFailures());
        p.put("delivery", json.writeValueAsString(app.delivery()));
        p.put("defences", json.writeValueAsString(app.defences()));
        p.put("createdAt", Timestamp.from(app.createdAt()));
        p.put("updatedAt", Timestamp.from(app.updatedAt()));
        return p;
    }

    private App map(ResultSet rs, int row) throws SQLException {
        String delivery = rs.getString("delivery_settings");
        String defences = rs.getString("defence_settings");
        return new App(rs.getString("id"), rs.getString("name"), rs.getString("brand"), rs.getInt("code_length"),
                rs.getInt("code_ttl_seconds"), rs.getInt("max_attempts"), rs.getInt("max_sends"),
                rs.getInt("resend_cooldown_seconds"), Arrays.asList(rs.getString("allowed_channels").split(",")),
                rs.getString("default_channel"), rs.getString("locale"), rs.getInt("totp_skew_steps"),
                rs.getInt("totp_max_failures"),
                delivery == null ? DeliverySettings.DEFAULTS : json.readValue(delivery, DeliverySettings.class),
                defences == null ? DefenceSettings.DEFAULTS : json.readValue(defences, DefenceSettings.class),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }
}
