package dev.otpgate.delivery.engine;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.apps.Channel;
import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.delivery.SendGate;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.SendResult;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One try of one step's message, the same whoever runs it (db-scheduler's poller, {@link DeliveryWorker}, or the
 * committing node's own dispatcher, {@link LocalHandoff}): skip a code that expired or a step that already went
 * out, ask the {@link SendGate}s before a phone send, render, hand to the {@link Dispatcher}, record the outcome.
 * It answers whether the step is settled or wants another try; the caller owns the job row and its retry.
 */
@Component
class DeliveryRun {

    private static final Logger log = LoggerFactory.getLogger(DeliveryRun.class);

    /** How the try ended, for the owner of the job row. */
    sealed interface Result {

        /**
         * Settled: sent, failed, skipped, or nothing to do.
         *
         * @param recorded true when an outcome was recorded, and with it the claimed job row (if any) removed
         */
        record Settled(boolean recorded) implements Result {}

        /** Every provider failed for now; the step is recorded as queued and wants another try. */
        record Retry(String reason) implements Result {}
    }

    /**
     * Who runs the try.
     *
     * @param tries this try's number, the first being 1
     * @param job the hand-off's claimed row, or {@code null} when db-scheduler runs the job and owns its row
     */
    record Attempt(int tries, HeldJob job) {

        /** Only a claimed first run knows that no run before it sent the message (a db-scheduler run may follow a crash). */
        boolean first() {
            return job != null && tries == 1;
        }
    }

    private final MessageRenderer renderer;
    private final Dispatcher dispatcher;
    private final AppDirectory apps;
    private final StepRecords steps;
    private final List<SendGate> gates;
    private final Clock clock;
    private final int maxTries;

    DeliveryRun(MessageRenderer renderer, Dispatcher dispatcher, AppDirectory apps, StepRecords steps, List<SendGate> gates,
            Clock clock, DeliveryProperties properties) {
        this.renderer = renderer;
        this.dispatcher = dispatcher;
        this.apps = apps;
        this.steps = steps;
        this.gates = gates;
        this.clock = clock;
        this.maxTries = properties.maxTries();
    }

    Result run(DeliveryRequest request, Attempt attempt) {
        HeldJob job = attempt.job();
        if (request.expiredAt(clock.instant())) {
            log.info("Skipping {}: its code expired before it could be sent", request);
            return settled();
        }
        if (!attempt.first() && steps.alreadySent(request.verificationId(), request.step())) {
            log.info("Skipping {}: it was sent before this run", request);
            return settled();
        }
        if (request.test()) {
            steps.sent(request, "test", SendResult.of(null), List.of(), true, job);
            return recorded();
        }
        Optional<App> app = apps.find(request.appId());
        if (app.isEmpty()) {
            return settled(); // The app was deleted, and its verifications with it.
        }
        if (Channel.isPhone(request.channel())) {
            for (SendGate gate : gates) {
                SendGate.Decision decision = gate.check(request.appId(), request.verificationId(), request.destination(),
                        request.channel());
                if (decision.blockPhone()) {
                    steps.skippedByGate(request, decision.reason(), job);
                    return recorded();
                }
            }
        }
        OutboundMessage message = renderer.render(request, app.get());
        switch (dispatcher.dispatch(request, message)) {
            case Dispatcher.Outcome.Sent sent -> {
                // The message is out: a failure from here on must not make the job run, and send, again.
                try {
                    steps.sent(request, sent.provider(), withSmsFacts(sent.result(), message), sent.tried(), false, job);
                    return recorded();
                } catch (RuntimeException e) {
                    log.warn("Sent {}, but recording it failed: {}", request, e.getMessage());
                    return settled();
                }
            }
            case Dispatcher.Outcome.Refused refused -> {
                steps.failed(request, refused.provider(), refused.reason(), refused.tried(), job);
                return recorded();
            }
            case Dispatcher.Outcome.NoProvider none -> {
                steps.failed(request, null, "no provider for channel " + none.channel(), List.of(), job);
                return recorded();
            }
            case Dispatcher.Outcome.AllFailed all -> {
                if (attempt.tries() >= maxTries) {
                    log.warn("Delivery of {} failed for good after {} tries: {}", request, attempt.tries(), all.reason());
                    steps.failed(request, null, all.reason(), all.tried(), job);
                    return recorded();
                }
                log.info("Delivery of {} failed (try {} of {}), will retry: {}", request, attempt.tries(), maxTries, all.reason());
                steps.retrying(request, all.reason(), all.tried());
                return new Result.Retry(all.reason());
            }
        }
    }

    private static Result settled() {
        return new Result.Settled(false);
    }

    private static Result recorded() {
        return new Result.Settled(true);
    }

    /** The provider's segment count and encoding where it gave them, else the renderer's, for SMS only. */
    private static SendResult withSmsFacts(SendResult result, OutboundMessage message) {
        boolean sms = message.channel().equals(Channel.SMS.value());
        return new SendResult(result.providerMessageId(),
                result.segments() != null ? result.segments() : sms ? message.segments() : null,
                result.encoding() != null ? result.encoding() : sms ? message.encoding() : null);
    }
}
