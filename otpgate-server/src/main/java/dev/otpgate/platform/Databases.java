package dev.otpgate.platform;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Which of the two databases otpgate runs on, PostgreSQL or the embedded H2, a data source is connected to. */
final class Databases {

    private Databases() {}

    static boolean isPostgres(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database otpgate is connected to", e);
        }
    }
}
