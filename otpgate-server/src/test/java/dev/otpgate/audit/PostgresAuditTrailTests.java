package dev.otpgate.audit;

import dev.otpgate.support.PostgresTestDatabase;
import dev.otpgate.support.TestDatabases;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The audit suite on PostgreSQL, in a database of its own: rows edited, inserted, reordered and deleted in SQL. */
class PostgresAuditTrailTests extends AuditTrailContract {

    @BeforeAll
    static void requirePostgres() {
        PostgresTestDatabase.requireReachable();
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabases.postgres(registry);
    }
}
