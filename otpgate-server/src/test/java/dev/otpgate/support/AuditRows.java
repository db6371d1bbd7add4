package dev.otpgate.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The rows of the audit trail as stored, for tests that prove an action left exactly its row. */
public final class AuditRows {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public record Row(long sequence, String action, String outcome, String actor, String appId, String targetId,
            String clientAddress, JsonNode details) {

        /** The names of the details, to prove that nothing else (no secret, hint or hash) was written. */
        public List<String> detailNames() {
            return details.propertyNames().stream().sorted().toList();
        }
    }

    private AuditRows() {}

    /** Every row with {@code action} about {@code targetId}, oldest first. */
    public static List<Row> of(JdbcClient jdbc, String action, String targetId) {
        return rows(jdbc, "target_id", action, targetId);
    }

    /** The one row with {@code action} about {@code targetId}; fails when there is none or more than one. */
    public static Row only(JdbcClient jdbc, String action, String targetId) {
        List<Row> rows = of(jdbc, action, targetId);
        assertThat(rows).as(action + " rows about " + targetId).hasSize(1);
        return rows.getFirst();
    }

    /** Every row with {@code action} from {@code clientAddress}, oldest first (rolled-up rows have no target). */
    public static List<Row> from(JdbcClient jdbc, String action, String clientAddress) {
        return rows(jdbc, "client_address", action, clientAddress);
    }

    private static List<Row> rows(JdbcClient jdbc, String column, String action, String value) {
        return jdbc.sql("select sequence, action, outcome, actor, app_id, target_id, client_address, details "
                        + "from audit_events where action = ? and " + column + " = ? order by sequence")
                .params(action, value)
                .query((rs, n) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), JSON.readTree(rs.getString(8))))
                .list();
    }

    /** The id of the bootstrap admin key: the actor of every row a test's {@code ADMIN_KEY} request writes. */
    public static String adminActor(JdbcClient jdbc) {
        return jdbc.sql("select id from api_keys where bootstrap = true").query(String.class).single();
    }

    /** Waits up to 30 s for the rolled-up rows of {@code action} from {@code clientAddress} to count {@code n}. */
    public static List<Row> awaitCounted(JdbcClient jdbc, String action, String clientAddress, long n) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            List<Row> rows = from(jdbc, action, clientAddress);
            long counted = rows.stream().mapToLong(row -> row.details().get("count").asLong()).sum();
            if (counted >= n || Instant.now().isAfter(deadline)) {
                assertThat(counted).as("occurrences of " + action + " from " + clientAddress).isEqualTo(n);
                return rows;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
