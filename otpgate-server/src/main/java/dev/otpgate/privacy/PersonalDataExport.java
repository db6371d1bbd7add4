package dev.otpgate.privacy;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything kept about one subject, in the export schema {@value #SCHEMA} (docs/privacy-export.schema.json).
 * Destinations appear masked, as in every answer after a start (S-45): the caller sent the destination. Secrets
 * are left out: codes (only their keyed hash is kept, and it is not exported), TOTP seeds and recovery
 * codes, and the bodies of dev-inbox messages, which hold a code.
 */
@Component
class PersonalDataExport {

    static final String SCHEMA = "https://otpgate.dev/schemas/privacy-export/1";

    private final JdbcClient jdbc;
    private final EndUsers endUsers;
    private final JsonMapper json;

    PersonalDataExport(JdbcClient jdbc, EndUsers endUsers, JsonMapper json) {
        this.jdbc = jdbc;
        this.endUsers = endUsers;
        this.json = json;
    }

    Map<String, Object> export(Subject subject, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("$schema", SCHEMA);
        out.put("generated_at", now.toString());
        out.put("scope", subject.appId() == null ? "instance" : "app");
        out.put("app_id", subject.appId());
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("kind", subject.kind());
        if (subject.isDestination()) {
            about.put("type", subject.destination().type().name().toLowerCase(java.util.Locale.ROOT));
            // The caller sent the destination; like every answer after a start, this one shows it masked (S-45).
            about.put("masked", subject.destination().masked());
        } else {
            about.put("value", subject.account());
        }
        out.put("subject", about);
        out.put("verifications", subject.isDestination() ? verifications(subject) : List.of());
        // The dev inbox holds no app id: only an instance-wide export (an admin key) reaches it.
        out.put("dev_inbox_messages", subject.isDestination() && subject.appId() == null ? devMessages(subject) : List.of());
        out.put("totp_factors", subject.isDestination() ? List.of() : factors(subject));
        return out;
    }

    private List<Map<String, Object>> verifications(Subject subject) {
        List<Map<String, Object>> rows = jdbc.sql("select id, app_id, status, channel, destination_ciphertext, "
                        + "destination_masked, destination_country, transaction_json, end_user_ciphertext, failure_reason, "
                        + "attempts, send_count, created_at, updated_at, expires_at, approved_at from verifications "
                        + "where destination_index in (:indexes) and purged_at is null"
                        + (subject.appId() == null ? "" : " and app_id = :app") + " order by created_at, id")
                .param("indexes", subject.indexes())
                .params(subject.appId() == null ? Map.of() : Map.of("app", subject.appId()))
                .query(this::verification).list();
        for (Map<String, Object> row : rows) {
            row.put("delivery_steps", steps((String) row.get("id")));
        }
        return rows;
    }

    private Map<String, Object> verification(ResultSet rs, int row) throws SQLException {
        String id = rs.getString("id");
        String appId = rs.getString("app_id");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("app_id", appId);
        out.put("status", rs.getString("status"));
        out.put("channel", rs.getString("channel"));
        out.put("to_masked", rs.getString("destination_masked"));
        out.put("country", rs.getString("destination_country"));
        EndUsers.EndUser endUser = endUsers.open(id, rs.getBytes("end_user_ciphertext"));
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("ip", endUser.ip());
        user.put("user_agent", endUser.userAgent());
        out.put("end_user", user);
        String transaction = rs.getString("transaction_json");
        out.put("transaction", transaction == null ? null : json.readValue(transaction, JsonNode.class));
        out.put("failure_reason", rs.getString("failure_reason"));
        out.put("attempts", rs.getInt("attempts"));
        out.put("sends", rs.getInt("send_count"));
        out.put("created_at", text(rs, "created_at"));
        out.put("updated_at", text(rs, "updated_at"));
        out.put("expires_at", text(rs, "expires_at"));
        out.put("approved_at", text(rs, "approved_at"));
        return out;
    }

    private List<Map<String, Object>> steps(String verificationId) {
        return jdbc.sql("select step, channel, provider, provider_message_id, status, reason, queued_at, sent_at, "
                        + "delivered_at from delivery_steps where verification_id = ? order by step")
                .param(verificationId)
                .query((rs, row) -> {
                    Map<String, Object> step = new LinkedHashMap<>();
                    step.put("step", rs.getInt("step"));
                    step.put("channel", rs.getString("channel"));
                    step.put("provider", rs.getString("provider"));
                    step.put("provider_message_id", rs.getString("provider_message_id"));
                    step.put("status", rs.getString("status"));
                    step.put("reason", rs.getString("reason"));
                    step.put("queued_at", text(rs, "queued_at"));
                    step.put("sent_at", text(rs, "sent_at"));
                    step.put("delivered_at", text(rs, "delivered_at"));
                    return step;
                }).list();
    }

    private List<Map<String, Object>> devMessages(Subject subject) {
        return new ArrayList<>(jdbc.sql("select id, channel, created_at from dev_messages where lower(recipient) = ? order by id")
                .param(subject.destination().value())
                .query((rs, row) -> {
                    Map<String, Object> message = new LinkedHashMap<>();
                    message.put("id", rs.getLong("id"));
                    message.put("channel", rs.getString("channel"));
                    message.put("created_at", text(rs, "created_at"));
                    return message;
                }).list());
    }

    private List<Map<String, Object>> factors(Subject subject) {
        return jdbc.sql("select id, app_id, account, issuer, algorithm, digits, period_seconds, status, created_at, "
                        + "activated_at, updated_at from totp_factors where account = :account"
                        + (subject.appId() == null ? "" : " and app_id = :app") + " order by created_at, id")
                .param("account", subject.account())
                .params(subject.appId() == null ? Map.of() : Map.of("app", subject.appId()))
                .query((rs, row) -> {
                    Map<String, Object> factor = new LinkedHashMap<>();
                    factor.put("id", rs.getString("id"));
                    factor.put("app_id", rs.getString("app_id"));
                    factor.put("account", rs.getString("account"));
                    factor.put("issuer", rs.getString("issuer"));
                    factor.put("algorithm", rs.getString("algorithm"));
                    factor.put("digits", rs.getInt("digits"));
                    factor.put("period", rs.getInt("period_seconds"));
                    factor.put("status", rs.getString("status"));
                    factor.put("created_at", text(rs, "created_at"));
                    factor.put("activated_at", text(rs, "activated_at"));
                    factor.put("updated_at", text(rs, "updated_at"));
                    return factor;
                }).list();
    }

    private static String text(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant().toString();
    }
}
