package dev.otpgate.platform;

import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Read-only work that must see one snapshot of the database, whatever commits meanwhile. PostgreSQL's
 * {@code REPEATABLE READ} is such a snapshot. H2's is not: it keeps the rows a transaction has read, but a later
 * read still sees rows that other transactions inserted and committed after the first (phantoms). H2's
 * {@code SERIALIZABLE} reads from one snapshot, so that is the level on H2.
 */
@Component
public class SnapshotReads {

    private final TransactionTemplate snapshot;

    SnapshotReads(PlatformTransactionManager transactions, DataSource dataSource) {
        this.snapshot = new TransactionTemplate(transactions);
        snapshot.setReadOnly(true);
        snapshot.setIsolationLevel(Databases.isPostgres(dataSource)
                ? TransactionDefinition.ISOLATION_REPEATABLE_READ : TransactionDefinition.ISOLATION_SERIALIZABLE);
    }

    /** Runs {@code work} in a read-only transaction of its own snapshot (or in the caller's transaction). */
    public <T> T read(Supplier<T> work) {
        return snapshot.execute(status -> work.get());
    }
}
