package dev.otpgate.delivery;

import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * The {@code deliver-code} job: opens the sealed request, skips it when the step is no longer current, renders
 * the message and hands it to the routed provider. A temporary failure is retried with exponential backoff
 * (by default 2 s, 4 s, 8 s, 16 s: five tries in all, see {@link DeliveryProperties}); a permanent one, or the
 * last try, marks the step failed.
 */
@Configuration(proxyBeanMethods = false)
class DeliveryWorker {

    static final String TASK_NAME = "deliver-code";
    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    @Bean
    OneTimeTask<String> deliverTask(@Lazy DeliveryQueue queue, MessageRenderer renderer, ChannelRouter router,
            ObjectProvider<DeliveryTracker> tracker, dev.otpgate.apps.AppDirectory apps, MeterRegistry meters, Clock clock, DeliveryProperties properties) {
        int maxTries = properties.maxTries();
        return Tasks.oneTime(TASK_NAME, String.class)
                .onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(properties.retryBackoff(), 2.0))
                .execute((TaskInstance<String> instance, ExecutionContext context) -> {
                    DeliveryTracker steps = tracker.getObject();
                    DeliveryRequest request;
                    try {
                        request = queue.open(instance.getData(), instance.getId());
                    } catch (RuntimeException e) {
                        // Wrong key set or a damaged row: no retry can fix it, so the step fails now.
                        log.error("Cannot open the queued message {}: {}", instance.getId(), e.getMessage());
                        int dash = instance.getId().lastIndexOf('-');
                        steps.failed(instance.getId().substring(0, dash), Integer.parseInt(instance.getId().substring(dash + 1)),
                                "the queued message could not be read");
                        return;
                    }
                    if (!steps.isCurrent(request.verificationId(), request.step())) {
                        log.debug("Skipping {}: no longer current", request);
                        return;
                    }
                    Channel provider = router.route(request.channel()).orElse(null);
                    if (provider == null) {
                        steps.failed(request.verificationId(), request.step(), "no provider for channel " + request.channel());
                        return;
                    }
                    try {
                        provider.send(renderer.render(request, apps.find(request.appId()).orElseThrow()));
                    } catch (DeliveryException e) {
                        meters.counter("otpgate.delivery.failures", "channel", request.channel(), "provider", provider.id()).increment();
                        int tries = context.getExecution().consecutiveFailures + 1;
                        if (e.permanent() || tries >= maxTries) {
                            log.warn("Delivery of {} failed for good after {} tries: {}", request, tries, e.getMessage());
                            steps.failed(request.verificationId(), request.step(), e.getMessage());
                            return;
                        }
                        log.info("Delivery of {} failed (try {} of {}), will retry: {}", request, tries, maxTries, e.getMessage());
                        throw new IllegalStateException("delivery failed, retrying: " + e.getMessage());
                    }
                    // The message is out: a failure from here on must not make the job run, and send, again.
                    try {
                        steps.sent(request.verificationId(), request.step(), provider.id());
                    } catch (RuntimeException e) {
                        log.warn("Sent {}, but recording it failed: {}", request, e.getMessage());
                    }
                    meters.counter("otpgate.delivery.sent", "channel", request.channel(), "provider", provider.id()).increment();
                    Timer.builder("otpgate.delivery.latency").description("From commit of the job to the provider's acceptance")
                            .tag("channel", request.channel()).tag("provider", provider.id())
                            .register(meters).record(Duration.between(request.queuedAt(), clock.instant()));
                });
    }
}
