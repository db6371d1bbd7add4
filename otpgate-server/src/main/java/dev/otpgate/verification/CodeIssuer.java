package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.DeliverySettings;
import dev.otpgate.delivery.DeliveryQueue;
import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.delivery.DeliverySteps;
import dev.otpgate.privacy.Destination;
import dev.otpgate.verification.VerificationEvents.CodeQueued;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes codes and queues their messages, and nothing else: the first code of a start (in the start's
 * transaction) and every replacement, whoever asked for it, in one transaction with the skipped steps before
 * it, the withdrawal of the replaced step's message and the {@link CodeQueued} event. Which channel a code goes
 * to, and whether it may, is decided before it is called.
 */
@Component
class CodeIssuer {

    private static final TypeReference<Map<String, String>> TRANSACTION_TYPE = new TypeReference<>() {};

    private final VerificationRepository verifications;
    private final DeliveryQueue delivery;
    private final DeliverySteps steps;
    private final CodeGenerator codes;
    private final CodeHasher hasher;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;

    CodeIssuer(VerificationRepository verifications, DeliveryQueue delivery, DeliverySteps steps, CodeGenerator codes,
            CodeHasher hasher, TransactionTemplate transactions, ApplicationEventPublisher events, JsonMapper json) {
        this.verifications = verifications;
        this.delivery = delivery;
        this.steps = steps;
        this.codes = codes;
        this.hasher = hasher;
        this.transactions = transactions;
        this.events = events;
        this.json = json;
    }

    /**
     * A new code for step {@code step} and its stored hash. For one of the app's test destinations there is no code
     * to send: the hash is the app's tag of its fixed code, and the code is {@code null}.
     */
    NewCode newCode(App app, String verificationId, int step, java.util.List<byte[]> destinationIndexes, String transactionJson) {
        Optional<DeliverySettings.TestDestination> test = CodeGenerator.testDestination(app, destinationIndexes);
        if (test.isPresent()) {
            return new NewCode(null, java.util.Base64.getDecoder().decode(test.get().codeTag()), true);
        }
        String code = codes.generate(app.codeLength());
        return new NewCode(code, hasher.hash(verificationId, step, code, transactionJson), false);
    }

    /** @param code {@code null} for a test destination, whose message is never sent */
    record NewCode(String code, byte[] hash, boolean test) {

        @Override
        public String toString() {
            return "NewCode[hidden]";
        }
    }

    /**
     * Commits a start: the verification, its first message and whatever {@code alsoInTransaction} writes (the
     * idempotency record), with the {@link CodeQueued} and {@code VerificationStarted} events, in one transaction.
     */
    void start(Verification verification, DeliveryRequest message, Runnable alsoInTransaction) {
        transactions.executeWithoutResult(status -> {
            verifications.insert(verification);
            delivery.enqueue(message);
            alsoInTransaction.run();
            events.publishEvent(queued(verification, message.step(), message.channel(), message.queuedAt()));
            events.publishEvent(new VerificationEvents.VerificationStarted(verification.id(), verification.appId(),
                    verification.channel(), verification.destinationType(), verification.destinationCountry(),
                    verification.destinationPrefix(), message.queuedAt()));
        });
    }

    /**
     * Replaces the verification's current code with a new one for {@code move}, recording the skipped steps
     * first. A client's resend is bounded by the send cap and the cooldown; the workflow's own moves are not.
     *
     * @return false, and nothing written, when a parallel check, resend or cancel changed the row first
     */
    boolean replace(App app, Verification verification, Destination destination, WorkflowMove move, boolean byClient,
            Instant now) {
        String id = verification.id();
        int first = verification.codeStep() + 1;
        int step = first + move.skipped().size();
        // A test destination's verification keeps the fixed code's tag it started with, whatever the app's list
        // says now; any other gets a new code.
        NewCode fresh = verification.testDestination() ? new NewCode(null, verification.codeHash(), true)
                : newCode(app, id, step, java.util.List.of(verification.destinationIndex()), verification.transactionJson());
        String code = fresh.code();
        byte[] codeHash = fresh.hash();
        Instant expiresAt = now.plusSeconds(verification.codeTtlSeconds());
        Workflow workflow = Workflow.of(verification, json);
        DeliveryRequest message = new DeliveryRequest(app.id(), id, step, move.channel().value(), destination, code,
                app.brand(), verification.codeTtlSeconds(), verification.locale(), transaction(verification),
                verification.appHash(), fresh.test(), now,
                timeoutSeconds(workflow, move.workflowIndex()));
        return Boolean.TRUE.equals(transactions.execute(status -> {
            boolean changed = byClient
                    ? verifications.newCode(verification, step, codeHash, move.channel().value(),
                            move.workflowIndex(), now, expiresAt, now.minusSeconds(verification.resendCooldownSeconds()))
                    : verifications.nextStep(verification, step, codeHash, move.channel().value(),
                            move.workflowIndex(), now, expiresAt);
            if (!changed) {
                return false;
            }
            steps.skipped(id, first, app.id(), WorkflowMove.records(move.skipped()));
            delivery.withdraw(id, verification.codeStep(), app.id(), verification.channel(),
                    "replaced by a new code before it was sent");
            delivery.enqueue(message);
            events.publishEvent(queued(verification, step, message.channel(), now));
            return true;
        }));
    }

    /** The seconds the step at {@code index} waits once sent, or {@code null} when nothing follows it. */
    static Integer timeoutSeconds(Workflow workflow, int index) {
        return workflow.timeout(index).map(timeout -> (int) timeout.toSeconds()).orElse(null);
    }

    Map<String, String> transaction(Verification verification) {
        return verification.transactionJson() == null ? null : json.readValue(verification.transactionJson(), TRANSACTION_TYPE);
    }

    private static CodeQueued queued(Verification verification, int step, String channel, Instant at) {
        return new CodeQueued(verification.id(), verification.appId(), step, channel, verification.destinationCountry(),
                verification.destinationPrefix(), at);
    }
}
