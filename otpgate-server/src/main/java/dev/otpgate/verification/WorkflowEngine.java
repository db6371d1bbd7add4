package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.delivery.DeliverySteps;
import dev.otpgate.privacy.Destination;
import dev.otpgate.privacy.Destinations;
import dev.otpgate.verification.VerificationEvents.VerificationFailed;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Workflow progression, owned here because every step is a new code (S-04) and codes are this module's: which
 * step comes next, whether the send rules let it go out, and what is recorded when they do not. The steps after
 * the current one are asked of the {@link SendPolicy} in order, for the channel of each; a refused step is
 * recorded as {@code skipped} with the rule's problem type and the next is asked. The workflow moves by itself
 * when a step ends ({@link WorkflowJobs}: a timeout, a failed or undelivered message, a SIM swap), and when the
 * client asks for {@code next}.
 */
@Component
class WorkflowEngine {

    private static final Logger log = LoggerFactory.getLogger(WorkflowEngine.class);

    /** The next step that may be sent, or why none may. */
    sealed interface Plan {

        /** @param attempt what the policy allowed, to give back if the move does not happen */
        record Move(WorkflowMove move, SendAttempt attempt) implements Plan {}

        /**
         * No following step may be sent.
         *
         * @param skipped the steps the rules refused, in order; empty when the workflow has none left
         */
        record Exhausted(List<WorkflowMove.Skip> skipped) implements Plan {

            /** The first refusal, which a client's {@code next} answers with. */
            Refusal firstRefusal() {
                return skipped.isEmpty() ? null : skipped.getFirst().refusal();
            }
        }
    }

    private final VerificationRepository verifications;
    private final AppDirectory apps;
    private final Destinations destinations;
    private final SendPolicy policy;
    private final CodeIssuer issuer;
    private final Expiry expiry;
    private final Finisher finisher;
    private final JsonMapper json;
    private final Clock clock;

    WorkflowEngine(VerificationRepository verifications, AppDirectory apps, Destinations destinations, SendPolicy policy,
            CodeIssuer issuer, Expiry expiry, Finisher finisher, JsonMapper json, Clock clock) {
        this.verifications = verifications;
        this.apps = apps;
        this.destinations = destinations;
        this.policy = policy;
        this.issuer = issuer;
        this.expiry = expiry;
        this.finisher = finisher;
        this.json = json;
        this.clock = clock;
    }

    /** The steps after the current one, each asked of the policy until one is allowed. */
    Plan plan(App app, Verification verification, Destination destination, SendAttempt.Origin origin, String apiKeyId) {
        Workflow workflow = Workflow.of(verification, json);
        List<WorkflowMove.Skip> skipped = new ArrayList<>();
        for (int i = verification.workflowIndex() + 1; i < workflow.size(); i++) {
            SendAttempt attempt = new SendAttempt(app, verification.id(), destination, verification.destinationIndex(),
                    workflow.channel(i), origin, verification.phoneBlocked(), verification.endUserIp(), apiKeyId);
            switch (policy.decide(attempt)) {
                case SendDecision.Allowed allowed -> {
                    return new Plan.Move(new WorkflowMove(i, workflow.channel(i), skipped), attempt);
                }
                case SendDecision.Refused refused ->
                        skipped.add(new WorkflowMove.Skip(i, workflow.channel(i), refused.refusal()));
            }
        }
        return new Plan.Exhausted(skipped);
    }

    /**
     * Ends step {@code step} and starts the next step that may be sent, or fails the verification: with the last
     * refused step's problem type, or with {@code ended.failureReason()} when no step was left. A step that is no
     * longer current changes nothing (a late timer or receipt).
     */
    void advance(String id, int step, StepEnd ended) {
        Verification verification = verifications.find(id).orElse(null);
        if (verification == null || verification.status() != VerificationStatus.PENDING || verification.codeStep() != step) {
            return;
        }
        Instant now = clock.instant();
        verification = expiry.expireIfDue(verification, now);
        App app = apps.find(verification.appId()).orElse(null);
        if (app == null || verification.status() != VerificationStatus.PENDING) {
            return;
        }
        Destination destination = destinations.open(verification.destinationCiphertext(), verification.appId());
        switch (plan(app, verification, destination, SendAttempt.Origin.WORKFLOW, null)) {
            case Plan.Move move -> {
                Verification current = verification;
                if (policy.carryOut(move.attempt(),
                        () -> issuer.replace(app, current, destination, move.move(), false, now))) {
                    finisher.noteEnded(id, step, ended.why());
                    log.info("Verification {} moves from step {} to {} ({}): {}", id, step,
                            step + 1 + move.move().skipped().size(), move.move().channel().value(), ended.why());
                }
            }
            case Plan.Exhausted exhausted -> {
                String reason = exhausted.skipped().isEmpty()
                        ? ended.failureReason() : exhausted.skipped().getLast().refusal().type();
                finisher.fail(app, verification, exhausted.skipped(), reason, now);
            }
        }
    }

    /** A job of {@link WorkflowJobs} is due. */
    @EventListener
    void on(WorkflowJobs.StepEndDue due) {
        advance(due.verificationId(), due.step(), due.cause());
    }

    /**
     * Why a step ended, as {@link WorkflowJobs} schedules it.
     *
     * @param why a sentence for the step record and the log
     * @param failureReason the verification's failure reason when no step follows
     */
    enum StepEnd {
        TIMEOUT("no approval within the step's timeout", "workflow-exhausted"),
        FAILED("the message could not be delivered", "delivery-failed"),
        UNDELIVERED("the provider reported the message undelivered", "delivery-failed"),
        SIM_SWAP_DETECTED("a SIM swap blocked the phone channels", "sim-swap-detected"),
        SIM_SWAP_CHECK_FAILED("the SIM-swap check failed and blocked the phone channels", "sim-swap-check-failed");

        private final String why;
        private final String failureReason;

        StepEnd(String why, String failureReason) {
            this.why = why;
            this.failureReason = failureReason;
        }

        String why() {
            return why;
        }

        String failureReason() {
            return failureReason;
        }
    }
}
