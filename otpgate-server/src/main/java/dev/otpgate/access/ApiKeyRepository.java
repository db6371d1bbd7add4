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

    private static final String COLUMNS = "id, app_id, name, scopes, hint, created_at, expires_at, revoked_at";

    private final JdbcClient jdbc;

    ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(ApiKey key, byte[] secretHash) {
        jdbc.sql("insert into api_keys (id, app_id, name, scopes, secret_hash, hint, created_at, expires_at) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(key.id(), key.appId(), key.name(), join(key.scopes()), secretHash, key.hint(),
                        Timestamp.from(key.createdAt()), key.expiresAt() == null ? null : Timestamp.from(key.expiresAt()))
                .update();
    }

    /** The live key with this secret hash: not revoked, not expired at {@code now}. */
    Optional<ApiKey> findActive(byte[] secretHash, Instant now) {
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

    boolean revoke(String appId, String keyId, Instant now) {
        return jdbc.sql("update api_keys set revoked_at = ? where id = ? and app_id = ? and revoked_at is null")
                .params(Timestamp.from(now), keyId, appId).update() == 1;
    }

    boolean exists(String appId, String keyId) {
        return jdbc.sql("select count(*) from api_keys where id = ? and app_id = ?")
                .params(keyId, appId).query(Integer.class).single() > 0;
    }

    int countAdminKeys() {
        return jdbc.sql("select count(*) from api_keys where app_id is null").query(Integer.class).single();
    }

    private static String join(Set<Scope> scopes) {
        return scopes.stream().map(Scope::value).sorted().collect(Collectors.joining(" "));
    }

    private static ApiKey map(ResultSet rs, int row) throws SQLException {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(rs.getString("scopes").split(" ")).map(Scope::of).flatMap(Optional::stream).forEach(scopes::add);
        Timestamp expires = rs.getTimestamp("expires_at");
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new ApiKey(rs.getString("id"), rs.getString("app_id"), rs.getString("name"), scopes,
                rs.getString("hint"), rs.getTimestamp("created_at").toInstant(),
                expires == null ? null : expires.toInstant(), revoked == null ? null : revoked.toInstant());
    }
}
