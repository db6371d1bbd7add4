package dev.otpgate.platform;

import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * An {@code UPDATE} that answers the rows it changed, in one round trip, on both databases otpgate runs on:
 * PostgreSQL's {@code update … returning …} and, on the embedded H2, the SQL-standard
 * {@code select … from final table (update …)} (H2 has no {@code returning}). The rows answered are the rows
 * as the update left them, read under the same row lock, so no other writer comes between.
 */
@Component
public class ReturningUpdates {

    private final boolean postgres;

    ReturningUpdates(DataSource dataSource) {
        this.postgres = Databases.isPostgres(dataSource);
    }

    /**
     * The statement for {@code update} (an {@code UPDATE} without a returning clause) answering {@code columns}
     * (a comma-separated list of plain column names) of each changed row.
     */
    public String sql(String update, String columns) {
        return postgres
                ? update + " returning " + columns
                : "select " + columns + " from final table (" + update + ")";
    }
}
