package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.delivery.DeliveryQueue;
import dev.otpgate.delivery.DeliverySteps;
import dev.otpgate.verification.VerificationEvents.VerificationCanceled;
import dev.otpgate.verification.VerificationEvents.VerificationFailed;
import java.time.Instant;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Ends verifications other than by approval or expiry: the workflow failing and the client canceling. Each is
 * one transaction that also takes back the message of the current step if no worker picked it up yet.
 */
@Component
class Finisher {

    private final VerificationRepository verifications;
    private final DeliveryQueue delivery;
    private final DeliverySteps steps;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;

    Finisher(VerificationRepository verifications, DeliveryQueue delivery, DeliverySteps steps,
            TransactionTemplate transactions, ApplicationEventPublisher events) {
        this.verifications = verifications;
        this.delivery = delivery;
        this.steps = steps;
        this.transactions = transactions;
        this.events = events;
    }

    /** Fails a verification whose workflow has no step left it may send, recording the steps the rules refused. */
    boolean fail(App app, Verification verification, List<WorkflowMove.Skip> skipped, String reason, Instant now) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            if (!verifications.finish(verification.id(), VerificationStatus.FAILED, reason, now)) {
                return false;
            }
            steps.skipped(verification.id(), verification.codeStep() + 1, app.id(), WorkflowMove.records(skipped));
            withdraw(verification, "the verification failed before it was sent");
            events.publishEvent(new VerificationFailed(verification.id(), verification.appId(), verification.channel(),
                    reason, now));
            return true;
        }));
    }

    boolean cancel(Verification verification, Instant now) {
        return Boolean.TRUE.equals(transactions.execute(status -> {
            if (!verifications.finish(verification.id(), VerificationStatus.CANCELED, null, now)) {
                return false;
            }
            withdraw(verification, "the verification was canceled before it was sent");
            events.publishEvent(new VerificationCanceled(verification.id(), verification.appId(), verification.channel(), now));
            return true;
        }));
    }

    /** Takes back the current step's message if no worker picked it up yet, and records why it never went out. */
    private void withdraw(Verification verification, String reason) {
        delivery.withdraw(verification.id(), verification.codeStep(), verification.appId(), verification.channel(), reason);
    }

    /** Notes on a step's record why it ended, where its status does not say (a timeout, the client skipping ahead). */
    void noteEnded(String verificationId, int step, String why) {
        steps.ended(verificationId, step, why);
    }
}
