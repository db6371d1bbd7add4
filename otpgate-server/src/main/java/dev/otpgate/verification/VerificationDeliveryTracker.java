package dev.otpgate.verification;

import dev.otpgate.delivery.DeliveryTracker;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

/**
 * Tells the delivery worker which steps still deserve a send, records how each send went, starts a sent step's
 * timer and moves the workflow on when a step fails, is reported undelivered or loses its phone channels.
 */
@Component
class VerificationDeliveryTracker implements DeliveryTracker {

    private static final Logger log = LoggerFactory.getLogger(VerificationDeliveryTracker.class);

    private final VerificationRepository verifications;
    private final VerificationService service;
    private final StepTimeouts.StepTimers timers;
    private final Clock clock;

    VerificationDeliveryTracker(VerificationRepository verifications, VerificationService service,
            StepTimeouts.StepTimers timers, Clock clock) {
        this.verifications = verifications;
        this.service = service;
        this.timers = timers;
        this.clock = clock;
    }

    @Override
    public boolean isCurrent(String verificationId, int step) {
        return verifications.isCurrent(verificationId, step);
    }

    @Override
    public void sent(String verificationId, int step, String providerId) {
        Instant now = clock.instant();
        verifications.recordDelivery(verificationId, step, providerId.equals("test") ? "test" : "sent", null, now);
        verifications.find(verificationId)
                .filter(v -> v.status() == VerificationStatus.PENDING && v.codeStep() == step)
                .ifPresent(v -> service.stepTimeout(v).ifPresent(timeout -> {
                    Instant at = v.lastSentAt().plus(timeout);
                    try {
                        timers.schedule(verificationId, step, at.isBefore(now) ? now : at);
                    } catch (DuplicateKeyException alreadyScheduled) {
                        log.debug("Timer of {} step {} already scheduled", verificationId, step);
                    }
                }));
    }

    @Override
    public void failed(String verificationId, int step, String reason) {
        service.deliveryFailed(verificationId, step, "failed", reason);
    }

    @Override
    public void undelivered(String verificationId, int step, String reason) {
        service.deliveryFailed(verificationId, step, "undelivered", reason);
    }

    @Override
    public void phoneBlocked(String verificationId, int step, String reason) {
        service.phoneBlocked(verificationId, step, reason);
    }
}
