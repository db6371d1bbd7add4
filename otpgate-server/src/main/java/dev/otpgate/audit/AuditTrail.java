package dev.otpgate.audit;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import dev.otpgate.platform.Ids;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * How every module writes to the audit trail. Three ways, by what the caller is doing:
 * <ul>
 * <li>{@link #record}: an admin action, in the caller's transaction (it must have one): the row commits with
 *     the action or neither does. If the row cannot be written, the action fails.</li>
 * <li>{@link #recordLater}: a security event seen on a request path (a replayed code, a lockout, a SIM swap).
 *     It is queued as a durable job row, in the caller's transaction when there is one, and appended to the
 *     chain by a worker: the request never waits for the chain's lock, and a crash after commit loses nothing.</li>
 * <li>{@link #rollUp}: something that comes in bursts (authentication failures, refused receipts, an unreachable
 *     rate-limit store): counted in memory and written as one row per key and window, with the count.</li>
 * </ul>
 * It does not decide what is worth recording, and never reads a secret: callers pass ids and masked values only.
 */
@Component
public class AuditTrail {

    private final AuditChain chain;
    private final Scheduler scheduler;
    private final OneTimeTask<String> recordTask;
    private final AuditRollups rollups;
    private final TransactionTemplate queue;
    private final Clock clock;

    AuditTrail(AuditChain chain, @Lazy Scheduler scheduler, @Qualifier("auditRecordTask") OneTimeTask<String> recordTask,
            AuditRollups rollups, PlatformTransactionManager transactions, Clock clock) {
        this.chain = chain;
        this.scheduler = scheduler;
        this.recordTask = recordTask;
        this.rollups = rollups;
        this.queue = new TransactionTemplate(transactions);
        this.queue.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.clock = clock;
    }

    /** Appends {@code entry} in the caller's transaction; without one it throws and nothing is written. */
    @Transactional(propagation = Propagation.MANDATORY)
    public AuditRow record(AuditEntry entry) {
        return chain.append(entry);
    }

    /**
     * Queues {@code entry} durably, in a short transaction of its own, to be appended right after by a worker. Its
     * own transaction because what was seen stays true whatever becomes of the request that saw it: a replayed
     * code is recorded even though the check that met it is refused and rolled back.
     */
    public void recordLater(AuditEntry entry) {
        AuditEntry complete = AuditContext.complete(entry);
        String data = AuditJobs.write(complete);
        queue.executeWithoutResult(tx -> scheduler.schedule(recordTask.instance(Ids.newId("aud"), data), clock.instant()));
        scheduler.triggerCheckForDueExecutions();
    }

    /**
     * Counts one occurrence of {@code entry}; occurrences with the same action, app, target and client address
     * within {@code otpgate.audit.rollup-interval} become one row whose details carry {@code count},
     * {@code first_at} and {@code last_at}. Counts not yet written are lost if the node crashes.
     */
    public void rollUp(AuditEntry entry) {
        rollups.count(AuditContext.complete(entry));
    }
}
