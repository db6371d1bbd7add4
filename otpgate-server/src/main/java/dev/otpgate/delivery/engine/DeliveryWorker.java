package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.DeliveryEvents;
import dev.otpgate.delivery.provider.SendResult;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.SendGate;
import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.delivery.DeliveryQueue;
import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.apps.Channel;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code deliver-code} job. It opens the sealed request, skips a code that expired or a step that already
 * went out, asks the {@link SendGate}s before a phone send, renders the message and hands it to the
 * {@link Dispatcher}. When every provider failed, the job is retried with exponential backoff (by default 2 s,
 * 4 s, 8 s, 16 s: five tries in all, see {@link DeliveryProperties}); a permanent failure, or the last try,
 * fails the step. Each outcome is recorded on the step and published as a {@link dev.otpgate.delivery.DeliveryEvents} record in the
 * same transaction; what happens next (a timer, the next step) is the workflow owner's business.
 *
 * <p>A message whose code was replaced before a worker picked it up is withdrawn by the code's owner
 * ({@link DeliveryQueue#withdraw}), so the worker does not ask whether it is still current.
 */
@Configuration(proxyBeanMethods = false)
class DeliveryWorker {

    static final String TASK_NAME = "deliver-code";
    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    @Bean
    OneTimeTask<String> deliverTask(SealedRequests sealed, MessageRenderer renderer, Dispatcher dispatcher,
            AppDirectory apps, StepRecords steps, List<SendGate> gates, Clock clock, DeliveryProperties properties) {
        int maxTries = properties.maxTries();
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
                    if (request.expiredAt(clock.instant())) {
                        log.info("Skipping {}: its code expired before it could be sent", request);
                        return;
                    }
                    if (steps.alreadySent(request.verificationId(), request.step())) {
                        log.info("Skipping {}: it was sent before this run", request);
                        return;
                    }
                    if (request.test()) {
                        steps.sent(request, "test", SendResult.of(null), List.of(), true);
                        return;
                    }
                    Optional<App> app = apps.find(request.appId());
                    if (app.isEmpty()) {
                        return; // The app was deleted, and its verifications with it.
                    }
                    if (Channel.isPhone(request.channel())) {
                        for (SendGate gate : gates) {
                            SendGate.Decision decision = gate.check(request.appId(), request.verificationId(),
                                    request.destination(), request.channel());
                            if (decision.blockPhone()) {
                                steps.skippedByGate(request, decision.reason());
                                return;
                            }
                        }
                    }
                    OutboundMessage message = renderer.render(request, app.get());
                    int tries = context.getExecution().consecutiveFailures + 1;
                    switch (dispatcher.dispatch(request, message)) {
                        case Dispatcher.Outcome.Sent sent -> {
                            // The message is out: a failure from here on must not make the job run, and send, again.
                            try {
                                steps.sent(request, sent.provider(), withSmsFacts(sent.result(), message), sent.tried(), false);
                            } catch (RuntimeException e) {
                                log.warn("Sent {}, but recording it failed: {}", request, e.getMessage());
                            }
                        }
                        case Dispatcher.Outcome.Refused refused ->
                                steps.failed(request, refused.provider(), refused.reason(), refused.tried());
                        case Dispatcher.Outcome.NoProvider none ->
                                steps.failed(request, null, "no provider for channel " + none.channel(), List.of());
                        case Dispatcher.Outcome.AllFailed all -> {
                            if (tries >= maxTries) {
                                log.warn("Delivery of {} failed for good after {} tries: {}", request, tries, all.reason());
                                steps.failed(request, null, all.reason(), all.tried());
                                return;
                            }
                            log.info("Delivery of {} failed (try {} of {}), will retry: {}", request, tries, maxTries,
                                    all.reason());
                            steps.retrying(request, all.reason(), all.tried());
                            throw new IllegalStateException("delivery failed, retrying");
                        }
                    }
                });
    }

    /** The provider's segment count and encoding where it gave them, else the renderer's, for SMS only. */
    private static SendResult withSmsFacts(SendResult result, OutboundMessage message) {
        boolean sms = message.channel().equals(Channel.SMS.value());
        return new SendResult(result.providerMessageId(),
                result.segments() != null ? result.segments() : sms ? message.segments() : null,
                result.encoding() != null ? result.encoding() : sms ? message.encoding() : null);
    }
}
