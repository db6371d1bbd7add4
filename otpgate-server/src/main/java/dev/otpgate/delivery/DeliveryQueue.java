package dev.otpgate.delivery;

import dev.otpgate.delivery.engine.SealedRequests;
import dev.otpgate.delivery.engine.ProviderRegistry;
import dev.otpgate.delivery.engine.LocalHandoff;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import java.util.List;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The public face of delivery: queue a message for a verification step. Called inside the caller's transaction,
 * the job row commits or rolls back with the verification (db-scheduler writes through Spring's
 * transaction-aware data source). No provider is called here: after the commit, this node's own dispatcher sends
 * it ({@link LocalHandoff}), and the row is there for a poller should this node die or be busy.
 */
@Component
public class DeliveryQueue {

    private final SchedulerClient scheduler;
    private final OneTimeTask<String> task;
    private final SealedRequests sealed;
    private final ProviderRegistry router;
    private final LocalHandoff handoff;
    private final JdbcClient jdbc;
    private final DeliverySteps steps;

    DeliveryQueue(SchedulerClient scheduler, @Qualifier("deliverTask") OneTimeTask<String> deliverTask, SealedRequests sealed,
            ProviderRegistry router, LocalHandoff handoff, JdbcClient jdbc, DeliverySteps steps) {
        this.scheduler = scheduler;
        this.task = deliverTask;
        this.sealed = sealed;
        this.router = router;
        this.handoff = handoff;
        this.jdbc = jdbc;
        this.steps = steps;
    }

    /** True when some provider (or the dev inbox) can deliver {@code channel}. */
    public boolean canDeliver(String channel) {
        return router.canDeliver(channel);
    }

    public void enqueue(DeliveryRequest request) {
        String instanceId = request.verificationId() + "-" + request.step();
        // A batch of one is a plain insert; schedule() would first select to see whether the job exists, and
        // the id (verification and step) is new by construction.
        // The row is the durable record; it is due for the pollers only after the hand-off's grace, since this node
        // sends it itself once it is visible.
        scheduler.scheduleBatch(List.<TaskInstance<?>>of(task.instance(instanceId, sealed.seal(request, instanceId))),
                handoff.dueAt(request.queuedAt()));
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            // Not before the commit: a claim must find the row, and a rolled-back start must send nothing.
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    handoff.committed(request, instanceId);
                }
            });
        } else {
            handoff.committed(request, instanceId);
        }
    }

    /**
     * Takes back a step's message that no worker has picked up yet, because its code was replaced or its
     * verification ended, and records the step as {@code skipped} with {@code reason}, so that every step stays
     * visible. One a worker is running goes out (the person then holds a code that no longer works). Runs in the
     * caller's transaction.
     */
    public void withdraw(String verificationId, int step, String appId, String channel, String reason) {
        boolean withdrawn = jdbc.sql("delete from scheduled_tasks where task_name = ? and task_instance = ? and picked = ?")
                .params(task.getName(), verificationId + "-" + step, false).update() == 1;
        if (withdrawn) {
            steps.superseded(verificationId, step, appId, channel, reason);
        }
    }

}
