package dev.otpgate.verification;

import dev.otpgate.delivery.DeliveryEvents.MessageFailed;
import dev.otpgate.delivery.DeliveryEvents.MessageSent;
import dev.otpgate.delivery.DeliveryEvents.MessageSkipped;
import dev.otpgate.delivery.DeliveryEvents.MessageUndelivered;
import dev.otpgate.delivery.SentStepWrite;
import dev.otpgate.verification.WorkflowEngine.StepEnd;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What delivery reports about a step's message, written onto the verification in the transaction that recorded
 * it (for a sent step, in the very statement, {@link SentStatus}): the delivery status the API shows, and the
 * workflow's next move as a durable job (a sent step's timer, or
 * the end of a step that failed, was undelivered or lost its phone channels). A report about a step that is no
 * longer current changes nothing.
 */
@Component
class DeliveryOutcomes {

    private final VerificationRepository verifications;
    private final WorkflowJobs.StepEnds stepEnds;

    DeliveryOutcomes(VerificationRepository verifications, WorkflowJobs.StepEnds stepEnds) {
        this.verifications = verifications;
        this.stepEnds = stepEnds;
    }

    /**
     * The step's timer. The delivery status was written with the send's record ({@link SentStatus}); a timer for a
     * step that is no longer current is a no-op when it runs, so it is scheduled without asking.
     */
    @EventListener
    void on(MessageSent sent) {
        if (sent.stepTimeoutSeconds() != null) {
            stepEnds.schedule(sent.verificationId(), sent.step(), StepEnd.TIMEOUT, sent.at().plusSeconds(sent.stepTimeoutSeconds()));
        }
    }

    /**
     * A sent (or test) step shown on the verification, written as part of the statement that records the send;
     * a step that is no longer current changes nothing.
     */
    @Component
    static class SentStatus implements SentStepWrite {

        @Override
        public String sql() {
            return "update verifications set delivery_status = :status, delivery_error = null, updated_at = :at "
                    + "where id = :verification_id and code_step = :step";
        }
    }

    @EventListener
    void on(MessageFailed failed) {
        if (verifications.recordDelivery(failed.verificationId(), failed.step(), "failed", failed.reason(), failed.at())) {
            stepEnds.schedule(failed.verificationId(), failed.step(), StepEnd.FAILED, failed.at());
        }
    }

    @EventListener
    void on(MessageUndelivered undelivered) {
        if (verifications.recordDelivery(undelivered.verificationId(), undelivered.step(), "undelivered",
                undelivered.reason(), undelivered.at())) {
            stepEnds.schedule(undelivered.verificationId(), undelivered.step(), StepEnd.UNDELIVERED, undelivered.at());
        }
    }

    @EventListener
    void on(MessageSkipped skipped) {
        if (verifications.recordPhoneBlocked(skipped.verificationId(), skipped.step(), skipped.reason(), skipped.at())) {
            StepEnd cause = "sim-swap-check-failed".equals(skipped.reason())
                    ? StepEnd.SIM_SWAP_CHECK_FAILED : StepEnd.SIM_SWAP_DETECTED;
            stepEnds.schedule(skipped.verificationId(), skipped.step(), cause, skipped.at());
        }
    }
}
