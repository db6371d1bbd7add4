package dev.otpgate.verification;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Instant;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * Workflow step timers as durable jobs ({@code workflow-step-timeout}, one per step that has a next step or a
 * timeout of its own): a restart loses none, and only one node runs each. When one fires and its step is still
 * current, the workflow moves on; a step approved, replaced or ended meanwhile makes it a no-op.
 */
@Configuration(proxyBeanMethods = false)
class StepTimeouts {

    static final String TASK_NAME = "workflow-step-timeout";

    @Bean
    OneTimeTask<String> stepTimeoutTask(@Lazy VerificationService service) {
        return Tasks.oneTime(TASK_NAME, String.class).execute((instance, context) -> {
            String id = instance.getData();
            int dash = instance.getId().lastIndexOf('-');
            int step = Integer.parseInt(instance.getId().substring(dash + 1));
            service.endStep(id, step, "no approval within the step's timeout", "workflow-exhausted");
        });
    }

    @Bean
    StepTimers stepTimers(ObjectProvider<SchedulerClient> scheduler, @Lazy @Qualifier("stepTimeoutTask") OneTimeTask<String> stepTimeoutTask) {
        return (verificationId, step, at) -> scheduler.getObject().scheduleBatch(
                List.<TaskInstance<?>>of(stepTimeoutTask.instance(verificationId + "-" + step, verificationId)), at);
    }

    /** Schedules the timer of one step. */
    @FunctionalInterface
    interface StepTimers {

        void schedule(String verificationId, int step, Instant at);
    }
}
