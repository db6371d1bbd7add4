package dev.otpgate.access.oauth;

import dev.otpgate.access.Scope;
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
class OAuthClientRepository {

    private static final String COLUMNS = "id, app_id, name, scopes, token_ttl_seconds, secret_hint, created_at, "
            + "secret_rotated_at, previous_secret_expires_at";

    /** A client with the hashes its secrets are checked against. */
    record Credentials(OAuthClient client, byte[] secretHash, byte[] previousSecretHash) {

        @Override
        public String toString() {
            return "Credentials[" + client.id() + "]";
        }
    }

    private final JdbcClient jdbc;

    OAuthClientRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(OAuthClient client, byte[] secretHash) {
        jdbc.sql("insert into oauth_clients (id, app_id, name, scopes, token_ttl_seconds, secret_hash, secret_hint, "
                        + "created_at) values (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(client.id(), client.appId(), client.name(), join(client.scopes()), client.tokenTtlSeconds(),
                        secretHash, client.secretHint(), Timestamp.from(client.createdAt()))
                .update();
    }

    Optional<OAuthClient> find(String appId, String clientId) {
        return jdbc.sql("select " + COLUMNS + " from oauth_clients where id = ? and app_id = ?")
                .params(clientId, appId).query(OAuthClientRepository::map).optional();
    }

    List<OAuthClient> findByApp(String appId) {
        return jdbc.sql("select " + COLUMNS + " from oauth_clients where app_id = ? order by created_at, id")
                .param(appId).query(OAuthClientRepository::map).list();
    }

    Optional<Credentials> credentials(String clientId) {
        return jdbc.sql("select " + COLUMNS + ", secret_hash, previous_secret_hash from oauth_clients where id = ?")
                .param(clientId)
                .query((rs, row) -> new Credentials(map(rs, row), rs.getBytes("secret_hash"), rs.getBytes("previous_secret_hash")))
                .optional();
    }

    /**
     * Replaces the secret; the old one keeps authenticating until {@code previousExpiresAt}. Conditional on the
     * client not being in a grace period already, so two concurrent rotations cannot both succeed.
     */
    boolean rotate(String appId, String clientId, byte[] newHash, String newHint, Instant previousExpiresAt, Instant now) {
        boolean grace = previousExpiresAt.isAfter(now);
        return jdbc.sql("update oauth_clients set "
                        + (grace ? "previous_secret_hash = secret_hash, previous_secret_expires_at = ?, "
                                : "previous_secret_hash = null, previous_secret_expires_at = null, ")
                        + "secret_hash = ?, secret_hint = ?, secret_rotated_at = ? where id = ? and app_id = ? "
                        + "and (previous_secret_expires_at is null or previous_secret_expires_at <= ?)")
                .params(grace
                        ? List.of(Timestamp.from(previousExpiresAt), newHash, newHint, Timestamp.from(now), clientId, appId, Timestamp.from(now))
                        : List.of(newHash, newHint, Timestamp.from(now), clientId, appId, Timestamp.from(now)))
                .update() == 1;
    }

    boolean delete(String appId, String clientId) {
        return jdbc.sql("delete from oauth_clients where id = ? and app_id = ?").params(clientId, appId).update() == 1;
    }

    private static String join(Set<Scope> scopes) {
        return scopes.stream().map(Scope::value).sorted().collect(Collectors.joining(" "));
    }

    private static OAuthClient map(ResultSet rs, int row) throws SQLException {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Arrays.stream(rs.getString("scopes").split(" ")).map(Scope::of).flatMap(Optional::stream).forEach(scopes::add);
        Timestamp rotated = rs.getTimestamp("secret_rotated_at");
        Timestamp previousExpires = rs.getTimestamp("previous_secret_expires_at");
        return new OAuthClient(rs.getString("id"), rs.getString("app_id"), rs.getString("name"), scopes,
                rs.getInt("token_ttl_seconds"), rs.getString("secret_hint"), rs.getTimestamp("created_at").toInstant(),
                rotated == null ? null : rotated.toInstant(), previousExpires == null ? null : previousExpires.toInstant());
    }
}
