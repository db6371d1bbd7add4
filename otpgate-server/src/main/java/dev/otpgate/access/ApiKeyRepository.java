package dev.otpgate.access;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class ApiKeyRepository {

    private static final String COLUMNS = "id, app_id, name, scopes, hint, created_at, expires_at, revoked_at, "
            + "last_used_at, replaced_by, bootstrap";

    private final JdbcClient jdbc;

    ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts the key; a second bootstrap key fails on the unique index (DuplicateKeyException). */
    void insert(ApiKey key, byte[] secretHash) {
        jdbc.sql("insert into api_keys (id, app_id, name, scopes, secret_hash, hint, created_at, expires_at, bootstrap) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(key.id(), key.appId(), key.name(), join(key.scopes()), secretHash, key.hint(),
                        Timestamp.from(key.createdAt()), timestamp(key.expiresAt()), key.bootstrap() ? Boolean.TRUE : null)
                .update();
    }

    /** The key with this secret hash that is accepted at {@code now}: not revoked, not expired. */
    Optional<ApiKey> findUsable(byte[] secretHash, Instant now) {
        return jdbc.sql("select " + COLUMNS + " from api_keys where secret_hash = ? and revoked_at is null "
                        + "and (expires_at is null or expires_at > ?)")
                .params(secretHash, Timestamp.from(now))
                .query(ApiKeyRepository::map)
                .optional();
    }

    List<ApiKey> findByApp(String appId) {
        return jdbc.sql("select " + COLUMNS + " from api_keys where app_id = ? order by created_at, id")
                .param(appId).query(ApiKeyRepository::map).list();
    }

    List<ApiKey> findAdminKeys() {
        return jdbc.sql("select " + COLUMNS + " from api_keys where app_id is null order by created_at, id")
                .query(ApiKeyRepository::map).list();
    }

    /**
     * Every admin key, locked until the transaction ends (in id order, so two callers never deadlock): whoever
     * holds them decides alone whether another active admin key exists.
     */
    List<ApiKey> lockAdminKeys() {
        return jdbc.sql("select " + COLUMNS + " from api_keys where app_id is null order by id for update")
                .query(ApiKeyRepository::map).list();
    }

    /** The key of this app (null: an admin key), locked until the transaction ends. */
    Optional<ApiKey> lock(String appId, String keyId) {
        String owner = appId == null ? "app_id is null" : "app_id = ?";
        var spec = jdbc.sql("select " + COLUMNS + " from api_keys where id = ? and " + owner + " for update").param(keyId);
        if (appId != null) {
            spec = spec.param(appId);
        }
        return spec.query(ApiKeyRepository::map).optional();
    }

    boolean revoke(String appId, String keyId, Instant now) {
        return jdbc.sql("update api_keys set revoked_at = ? where id = ? and app_id = ? and revoked_at is null")
                .params(Timestamp.from(now), keyId, appId).update() == 1;
    }

    void revokeAdmin(String keyId, Instant now) {
        jdbc.sql("update api_keys set revoked_at = ? where id = ? and app_id is null and revoked_at is null")
                .params(Timestamp.from(now), keyId).update();
    }

    /** Marks a key replaced; it then lives until {@code expiresAt}, or not at all when {@code revokedAt} is set. */
    boolean replace(String keyId, String replacement, Instant expiresAt, Instant revokedAt) {
        return jdbc.sql("update api_keys set replaced_by = ?, expires_at = ?, revoked_at = ? "
                        + "where id = ? and replaced_by is null and revoked_at is null")
                .params(replacement, timestamp(expiresAt), timestamp(revokedAt), keyId).update() == 1;
    }

    /** Records a use, never moving it back: two nodes may flush out of order. */
    void touch(String keyId, Instant usedAt) {
        jdbc.sql("update api_keys set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)")
                .params(Timestamp.from(usedAt), keyId, Timestamp.from(usedAt)).update();
    }

    boolean exists(String appId, String keyId) {
        return jdbc.sql("select count(*) from api_keys where id = ? and app_id = ?")
                .params(keyId, appId).query(Integer.class).single() > 0;
    }

    int countAdminKeys() {
        return jdbc.sql("select count(*) from api_keys where app_id is null").query(Integer.class).single();
    }

    /** Admin keys other than the bootstrap key, revoked ones included. */
    int countOtherAdminKeys() {
        return jdbc.sql("select count(*) from api_keys where app_id is null and bootstrap is null")
                .query(Integer.class).single();
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static String join(Set<Scope> scopes) {
        return scopes.stream().map(Scope::value).sorted().collect(Collectors.joining(" "));
    }

    private static ApiKey map(ResultSet rs, int row) throws SQLException {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(rs.getString("scopes").split(" ")).map(Scope::of).flatMap(Optional::stream).forEach(scopes::add);
        return new ApiKey(rs.getString("id"), rs.getString("app_id"), rs.getString("name"), scopes,
                rs.getString("hint"), instant(rs, "created_at"), instant(rs, "expires_at"), instant(rs, "revoked_at"),
                instant(rs, "last_used_at"), rs.getString("replaced_by"), rs.getBoolean("bootstrap"));
    }
}
