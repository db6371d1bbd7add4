package dev.otpgate.delivery.engine;

import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.otpgate.delivery.DeliveryQueue;
import dev.otpgate.delivery.DeliveryRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code deliver-code} job as db-scheduler's poller runs it: for a message the committing node did not send
 * itself ({@link LocalHandoff}) because it died, was busy or handed a failed first try back, and for every retry.
 * It opens the sealed request and runs one {@link DeliveryRun}, which here always asks whether the step already
 * went out, since such a run can follow a crash. When every provider failed, the job is retried with exponential
 * backoff (by default 2 s, 4 s, 8 s, 16 s: five tries in all, see {@link DeliveryProperties}); a permanent
 * failure, or the last try, fails the step. Each outcome is recorded on the step and published as a
 * {@link dev.otpgate.delivery.DeliveryEvents} record in the same transaction; what happens next (a timer, the
 * next step) is the workflow owner's business.
 *
 * <p>A message whose code was replaced before a worker picked it up is withdrawn by the code's owner
 * ({@link DeliveryQueue#withdraw}), so the worker does not ask whether it is still current.
 */
@Configuration(proxyBeanMethods = false)
class DeliveryWorker {

    static final String TASK_NAME = "deliver-code";
    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    @Bean
    OneTimeTask<String> deliverTask(SealedRequests sealed, DeliveryRun run, StepRecords steps, DeliveryProperties properties) {
        return Tasks.oneTime(TASK_NAME, String.class)
                .onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(properties.retryBackoff(), 2.0))
                .execute((TaskInstance<String> instance, ExecutionContext context) -> {
                    DeliveryRequest request;
                    try {
                        request = sealed.open(instance.getData(), instance.getId());
                    } catch (RuntimeException e) {
                        // Wrong key set or a damaged row: no retry can fix it, so the step fails now.
                        log.error("Cannot open the queued message {}: {}", instance.getId(), e.getMessage());
                        steps.unreadable(instance.getId(), "the queued message could not be read");
                        return;
                    }
                    int tries = context.getExecution().consecutiveFailures + 1;
                    if (run.run(request, new DeliveryRun.Attempt(tries, null)) instanceof DeliveryRun.Result.Retry) {
                        throw new IllegalStateException("delivery failed, retrying");
                    }
                });
    }
}
