package dev.otpgate.delivery;

import com.github.kagkarlsson.scheduler.task.ExecutionContext;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * The {@code deliver-code} job. It opens the sealed request, skips a step that is no longer current or already
 * went out, asks the {@link SendGate}s before a phone send, renders the message and hands it to the channel's
 * providers in order: a provider that fails is cooled off and the next one is tried at once. When every
 * provider failed, the job is retried with exponential backoff (by default 2 s, 4 s, 8 s, 16 s: five tries in
 * all, see {@link DeliveryProperties}); a permanent failure, or the last try, fails the step and the workflow
 * moves on. Each outcome, with the providers tried, is recorded on the step.
 */
@Configuration(proxyBeanMethods = false)
class DeliveryWorker {

    static final String TASK_NAME = "deliver-code";
    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    @Bean
    OneTimeTask<String> deliverTask(@Lazy DeliveryQueue queue, MessageRenderer renderer, ProviderRegistry router,
            ObjectProvider<DeliveryTracker> tracker, AppDirectory apps, DeliverySteps steps, ProviderHealth health,
            ObjectProvider<SendGate> gates, MeterRegistry meters, Clock clock, DeliveryProperties properties) {
        int maxTries = properties.maxTries();
        return Tasks.oneTime(TASK_NAME, String.class)
                .onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(properties.retryBackoff(), 2.0))
                .execute((TaskInstance<String> instance, ExecutionContext context) -> {
                    DeliveryTracker verifications = tracker.getObject();
                    DeliveryRequest request;
                    try {
                        request = queue.open(instance.getData(), instance.getId());
                    } catch (RuntimeException e) {
                        // Wrong key set or a damaged row: no retry can fix it, so the step fails now.
                        log.error("Cannot open the queued message {}: {}", instance.getId(), e.getMessage());
                        int dash = instance.getId().lastIndexOf('-');
                        verifications.failed(instance.getId().substring(0, dash),
                                Integer.parseInt(instance.getId().substring(dash + 1)), "the queued message could not be read");
                        return;
                    }
                    if (!verifications.isCurrent(request.verificationId(), request.step())) {
                        log.debug("Skipping {}: no longer current", request);
                        return;
                    }
                    if (steps.alreadySent(request.verificationId(), request.step())) {
                        log.info("Skipping {}: it was sent before this run", request);
                        return;
                    }
                    if (request.test()) {
                        steps.record(request, "test", null, "test", null, null, null, List.of());
                        verifications.sent(request.verificationId(), request.step(), "test");
                        return;
                    }
                    Optional<App> app = apps.find(request.appId());
                    if (app.isEmpty()) {
                        return; // The app was deleted, and its verifications with it.
                    }
                    if (request.channel().equals("sms") || request.channel().equals("voice")) {
                        for (SendGate gate : gates.orderedStream().toList()) {
                            SendGate.Decision decision = gate.check(request.appId(), request.verificationId(),
                                    request.destination(), request.channel());
                            if (decision.blockPhone()) {
                                steps.record(request, null, null, "skipped", decision.reason(), null, null, List.of());
                                verifications.phoneBlocked(request.verificationId(), request.step(), decision.reason());
                                return;
                            }
                        }
                    }
                    List<Provider> providers = router.candidates(request.channel());
                    if (providers.isEmpty()) {
                        steps.record(request, null, null, "failed", "no provider for channel " + request.channel(), null,
                                null, List.of());
                        verifications.failed(request.verificationId(), request.step(), "no provider for channel " + request.channel());
                        return;
                    }
                    OutboundMessage message = renderer.render(request, app.get());
                    List<String> tried = new ArrayList<>();
                    int tries = context.getExecution().consecutiveFailures + 1;
                    for (Provider provider : providers) {
                        SendResult result;
                        try {
                            result = provider.send(message);
                        } catch (DeliveryException e) {
                            meters.counter("otpgate.delivery.failures", "channel", request.channel(), "provider", provider.id())
                                    .increment();
                            tried.add(provider.id() + ": " + e.getMessage());
                            if (e.permanent()) {
                                log.warn("Delivery of {} through {} failed for good: {}", request, provider.id(), e.getMessage());
                                steps.record(request, provider.id(), null, "failed", e.getMessage(), null, null, tried);
                                verifications.failed(request.verificationId(), request.step(), e.getMessage());
                                return;
                            }
                            health.failed(provider.id(), e.getMessage());
                            continue;
                        } catch (RuntimeException e) {
                            // An adapter bug must not look like success, nor leak its message (it may quote a number).
                            log.warn("Provider {} threw {} for {}", provider.id(), e.getClass().getSimpleName(), request);
                            meters.counter("otpgate.delivery.failures", "channel", request.channel(), "provider", provider.id())
                                    .increment();
                            tried.add(provider.id() + ": internal error");
                            health.failed(provider.id(), "internal error");
                            continue;
                        }
                        health.succeeded(provider.id());
                        // The message is out: a failure from here on must not make the job run, and send, again.
                        try {
                            steps.record(request, provider.id(), result.providerMessageId(), "sent", null,
                                    result.segments() != null ? result.segments() : smsSegments(message),
                                    result.encoding() != null ? result.encoding() : smsEncoding(message), tried);
                            verifications.sent(request.verificationId(), request.step(), provider.id());
                        } catch (RuntimeException e) {
                            log.warn("Sent {}, but recording it failed: {}", request, e.getMessage());
                        }
                        meters.counter("otpgate.delivery.sent", "channel", request.channel(), "provider", provider.id()).increment();
                        Timer.builder("otpgate.delivery.latency").description("From commit of the job to the provider's acceptance")
                                .tag("channel", request.channel()).tag("provider", provider.id())
                                .register(meters).record(Duration.between(request.queuedAt(), clock.instant()));
                        return;
                    }
                    String reason = "every provider failed (" + String.join("; ", tried) + ")";
                    if (tries >= maxTries) {
                        log.warn("Delivery of {} failed for good after {} tries: {}", request, tries, reason);
                        steps.record(request, null, null, "failed", reason, null, null, tried);
                        verifications.failed(request.verificationId(), request.step(),
                                reason.length() <= 200 ? reason : reason.substring(0, 199) + "…");
                        return;
                    }
                    log.info("Delivery of {} failed (try {} of {}), will retry: {}", request, tries, maxTries, reason);
                    steps.record(request, null, null, "queued", reason, null, null, tried);
                    throw new IllegalStateException("delivery failed, retrying");
                });
    }

    private static Integer smsSegments(OutboundMessage message) {
        return message.channel().equals("sms") ? message.segments() : null;
    }

    private static String smsEncoding(OutboundMessage message) {
        return message.channel().equals("sms") ? message.encoding() : null;
    }
}
