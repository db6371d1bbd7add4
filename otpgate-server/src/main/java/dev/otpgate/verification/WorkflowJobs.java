package dev.otpgate.verification;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.otpgate.verification.WorkflowEngine.StepEnd;
import java.time.Instant;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The workflow's moves as durable jobs ({@code workflow-step-ended}): a step's timeout, and the end of a step
 * whose message failed, was reported undelivered or lost its phone channels. Each is scheduled in the transaction
 * that recorded its cause, so a crash loses none, and only one node runs each. When one runs, the
 * {@link WorkflowEngine} moves on if the step is still current; a step approved, replaced or ended meanwhile
 * makes it a no-op.
 *
 * <p>The task hands the due job on as a {@link StepEndDue} event rather than calling the engine: the engine
 * queues codes through the scheduler that runs this task, and the event keeps the two apart.
 */
@Configuration(proxyBeanMethods = false)
class WorkflowJobs {

    static final String TASK_NAME = "workflow-step-ended";

    /** A scheduled step end whose time has come. */
    record StepEndDue(String verificationId, int step, StepEnd cause) {}

    @Bean
    OneTimeTask<String> stepEndedTask(ApplicationEventPublisher events) {
        return Tasks.oneTime(TASK_NAME, String.class).execute((instance, context) -> {
            String id = instance.getId();
            int causeDash = id.lastIndexOf('-');
            int stepDash = id.lastIndexOf('-', causeDash - 1);
            events.publishEvent(new StepEndDue(id.substring(0, stepDash),
                    Integer.parseInt(id.substring(stepDash + 1, causeDash)), StepEnd.valueOf(instance.getData())));
        });
    }

    /** Schedules step ends; called in the transaction that records their cause. */
    @Component
    static class StepEnds {

        private final Scheduler scheduler;
        private final OneTimeTask<String> task;

        StepEnds(Scheduler scheduler, @Qualifier("stepEndedTask") OneTimeTask<String> task) {
            this.scheduler = scheduler;
            this.task = task;
        }

        void schedule(String verificationId, int step, StepEnd cause, Instant at) {
            // Not a plain insert: in PostgreSQL a duplicate would abort the transaction that records the send.
            scheduler.scheduleIfNotExists(task.instance(verificationId + "-" + step + "-" + cause.name(), cause.name()), at);
            if (cause != StepEnd.TIMEOUT && TransactionSynchronizationManager.isSynchronizationActive()) {
                // Due now: run it once the row is visible rather than at the next poll.
                TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        scheduler.triggerCheckForDueExecutions();
                    }
                });
            }
        }
    }
}
