package dev.otpgate.verification;

import dev.otpgate.delivery.DeliveryTracker;
import java.time.Clock;
import org.springframework.stereotype.Component;

/** Tells the delivery worker which steps still deserve a send, and records how each send went. */
@Component
class VerificationDeliveryTracker implements DeliveryTracker {

    private final VerificationRepository verifications;
    private final VerificationService service;
    private final Clock clock;

    VerificationDeliveryTracker(VerificationRepository verifications, VerificationService service, Clock clock) {
        this.verifications = verifications;
        this.service = service;
        this.clock = clock;
    }

    @Override
    public boolean isCurrent(String verificationId, int step) {
        return verifications.isCurrent(verificationId, step);
    }

    @Override
    public void sent(String verificationId, int step, String providerId) {
        verifications.recordDelivery(verificationId, step, "sent", null, clock.instant());
    }

    @Override
    public void failed(String verificationId, int step, String reason) {
        service.deliveryFailed(verificationId, step, reason);
    }

    @Override
    public void undelivered(String verificationId, int step, String reason) {
        service.deliveryFailed(verificationId, step, reason);
    }
}
