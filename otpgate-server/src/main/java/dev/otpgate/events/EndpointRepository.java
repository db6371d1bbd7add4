package dev.otpgate.events;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** {@code webhook_endpoints}. */
@Repository
class EndpointRepository {

    private static final String COLUMNS = "id, app_id, url, description, events, enabled, disabled_reason, secret, "
            + "previous_secret, previous_expires_at, failing_since, created_at, updated_at";

    private final JdbcClient jdbc;

    EndpointRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(WebhookEndpoint endpoint) {
        jdbc.sql("insert into webhook_endpoints (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(endpoint.id(), endpoint.appId(), endpoint.url(), endpoint.description(), endpoint.events().stored(),
                        endpoint.enabled(), endpoint.disabledReason(), endpoint.secret(), endpoint.previousSecret(),
                        ts(endpoint.previousExpiresAt()), ts(endpoint.failingSince()), ts(endpoint.createdAt()),
                        ts(endpoint.updatedAt()))
                .update();
    }

    Optional<WebhookEndpoint> find(String id) {
        return jdbc.sql("select " + COLUMNS + " from webhook_endpoints where id = ?").param(id).query(EndpointRepository::map)
                .optional();
    }

    List<WebhookEndpoint> list(String appId) {
        return jdbc.sql("select " + COLUMNS + " from webhook_endpoints where app_id = ? order by created_at, id")
                .param(appId).query(EndpointRepository::map).list();
    }

    /** The enabled endpoints of an app: what its events are written for. */
    List<WebhookEndpoint> enabled(String appId) {
        return jdbc.sql("select " + COLUMNS + " from webhook_endpoints where app_id = ? and enabled = true")
                .param(appId).query(EndpointRepository::map).list();
    }

    void update(String id, String url, String description, EventFilter events, boolean enabled, String disabledReason,
            boolean resetFailures, Instant now) {
        jdbc.sql("update webhook_endpoints set url = ?, description = ?, events = ?, enabled = ?, disabled_reason = ?, "
                        + "failing_since = case when ? then null else failing_since end, updated_at = ? where id = ?")
                .params(url, description, events.stored(), enabled, disabledReason, resetFailures, ts(now), id)
                .update();
    }

    void rotate(String id, byte[] secret, byte[] previous, Instant previousExpiresAt, Instant now) {
        jdbc.sql("update webhook_endpoints set secret = ?, previous_secret = ?, previous_expires_at = ?, updated_at = ? "
                        + "where id = ?")
                .params(secret, previous, ts(previousExpiresAt), ts(now), id).update();
    }

    boolean delete(String id) {
        return jdbc.sql("delete from webhook_endpoints where id = ?").param(id).update() == 1;
    }

    /** A success: the endpoint is no longer failing. */
    void succeeded(String id) {
        jdbc.sql("update webhook_endpoints set failing_since = null where id = ? and failing_since is not null").param(id)
                .update();
    }

    /** A failure: the first since the last success starts the clock. Returns when the failures began. */
    Instant failed(String id, Instant now) {
        jdbc.sql("update webhook_endpoints set failing_since = ? where id = ? and failing_since is null").params(ts(now), id)
                .update();
        return jdbc.sql("select failing_since from webhook_endpoints where id = ?").param(id)
                .query((rs, row) -> instant(rs, "failing_since")).optional().orElse(now);
    }

    /** Disables an enabled endpoint; true for the caller that did it (one event per disabling). */
    boolean disable(String id, String reason, Instant now) {
        return jdbc.sql("update webhook_endpoints set enabled = false, disabled_reason = ?, updated_at = ? "
                        + "where id = ? and enabled = true")
                .params(reason, ts(now), id).update() == 1;
    }

    private static WebhookEndpoint map(ResultSet rs, int row) throws SQLException {
        return new WebhookEndpoint(rs.getString("id"), rs.getString("app_id"), rs.getString("url"),
                rs.getString("description"), EventFilter.fromStored(rs.getString("events")), rs.getBoolean("enabled"),
                rs.getString("disabled_reason"), rs.getBytes("secret"), rs.getBytes("previous_secret"),
                instant(rs, "previous_expires_at"), instant(rs, "failing_since"), instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
