package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.apps.Channel;
import dev.otpgate.apps.DeliverySettings.WorkflowStep;
import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.Ids;
import dev.otpgate.privacy.Destination;
import dev.otpgate.privacy.Destinations;
import dev.otpgate.privacy.SealedDestination;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starting a verification: plan its workflow, ask the {@link SendPolicy} for the first step's channel, and commit
 * the verification with its first message (and the idempotency record) in one transaction of at most three
 * statements. No provider is called. A start with an {@code Idempotency-Key} seen before answers as the first
 * did and sends nothing.
 */
@Service
class StartService {

    /**
     * A start as validated at the edge: every field is well-formed; whether it may be sent is decided here.
     *
     * @param transaction sorted, so equal maps hash and bind alike
     */
    record StartCommand(String appId, String apiKeyId, String to, String channel, List<WorkflowStep> workflow,
            String locale, TreeMap<String, String> transaction, String appHash, String endUserIp, String endUserAgent,
            String idempotencyKey) {

        @Override
        public String toString() {
            return "StartCommand[" + appId + "]";
        }
    }

    /** How a start ended. */
    sealed interface StartResult {

        /**
         * @param replayed true when an earlier request with the same {@code Idempotency-Key} made it
         * @param quota the tightest send limit's remaining quota, or {@code null}
         */
        record Started(Verification verification, boolean replayed, Refusal.Quota quota) implements StartResult {}

        record Refused(Refusal refusal) implements StartResult {}
    }

    private final AppDirectory apps;
    private final Destinations destinations;
    private final StartPlanner planner;
    private final SendPolicy policy;
    private final CodeIssuer issuer;
    private final Idempotency idempotency;
    private final JsonMapper json;
    private final Clock clock;

    StartService(AppDirectory apps, Destinations destinations, StartPlanner planner, SendPolicy policy, CodeIssuer issuer,
            Idempotency idempotency, JsonMapper json, Clock clock) {
        this.apps = apps;
        this.destinations = destinations;
        this.planner = planner;
        this.policy = policy;
        this.issuer = issuer;
        this.idempotency = idempotency;
        this.json = json;
        this.clock = clock;
    }

    StartResult start(StartCommand command) {
        App app = apps.find(command.appId()).orElseThrow(() -> ApiProblem.notFound("app"));
        Destination destination = destinations.parse(command.to());
        Workflow workflow;
        switch (planner.plan(app, command.channel(), command.workflow(), destination)) {
            case StartPlanner.Plan.Refused refused -> {
                return new StartResult.Refused(refused.refusal());
            }
            case StartPlanner.Plan.Planned planned -> workflow = planned.workflow();
        }
        Channel channel = workflow.channel(0);
        String workflowJson = workflow.toJson(json);
        String locale = command.locale() == null ? app.locale() : command.locale();
        String transactionJson = command.transaction() == null ? null : json.writeValueAsString(command.transaction());
        Instant now = clock.instant();

        String key = command.idempotencyKey();
        java.util.List<byte[]> requestHash = key == null ? null : idempotency.requestHash("start", destination.type().name(),
                destination.value(), channel.value(), String.valueOf(workflowJson), locale, String.valueOf(transactionJson),
                String.valueOf(command.appHash()), String.valueOf(command.endUserIp()), String.valueOf(command.endUserAgent()));
        if (key != null) {
            Optional<StartResult> replay = replay(app, key, requestHash, now);
            if (replay.isPresent()) {
                return replay.get();
            }
        }

        SealedDestination sealed = destinations.seal(destination, app.id());
        SendAttempt attempt = new SendAttempt(app, null, destination, sealed.index(), channel, SendAttempt.Origin.START,
                false, command.endUserIp(), command.apiKeyId());
        Refusal.Quota quota;
        switch (policy.decide(attempt)) {
            case SendDecision.Refused refused -> {
                // A retry of an idempotent start that was refused only because its first attempt used up the limit
                // answers as the first attempt did. One still in flight may get the 429; the client's next retry
                // then replays it.
                if (key != null && refused.refusal().kind() == Refusal.Kind.LIMITED) {
                    Optional<StartResult> replay = replay(app, key, requestHash, clock.instant());
                    if (replay.isPresent()) {
                        return replay.get();
                    }
                }
                return new StartResult.Refused(refused.refusal());
            }
            case SendDecision.Allowed allowed -> quota = allowed.quota();
        }

        String id = Ids.newId("vrf");
        CodeIssuer.NewCode first = issuer.newCode(app, id, 1, destinations.indexes(destination), transactionJson);
        boolean test = first.test();
        String code = first.code();
        Verification verification = new Verification(id, app.id(), VerificationStatus.PENDING, channel.value(),
                destination.type().name().toLowerCase(Locale.ROOT), sealed.ciphertext(), sealed.index(),
                sealed.masked(), first.hash(), 1, 0, app.maxAttempts(), 1, app.maxSends(),
                app.resendCooldownSeconds(), app.codeTtlSeconds(), locale, transactionJson, command.endUserIp(),
                command.endUserAgent(), "queued", null, null, now, now, now.plusSeconds(app.codeTtlSeconds()), now, null,
                workflowJson, 0, false, test, destination.regionCode(), destination.prefix(), command.appHash());
        DeliveryRequest message = new DeliveryRequest(app.id(), id, 1, channel.value(), destination, code, app.brand(),
                app.codeTtlSeconds(), locale, command.transaction(), command.appHash(), test, now,
                CodeIssuer.timeoutSeconds(workflow, 0));
        try {
            policy.carryOut(attempt, () -> {
                issuer.start(verification, message, () -> {
                    if (key != null) {
                        idempotency.remember(app.id(), key, requestHash.getFirst(), id, now);
                    }
                });
                return true;
            });
        } catch (RuntimeException e) {
            if (key == null || !(e instanceof DuplicateKeyException)) {
                throw e;
            }
            // Another request with the same key committed first: answer as it did.
            return replay(app, key, requestHash, now).orElseThrow(Idempotency::inProgress);
        }
        return new StartResult.Started(verification, false, quota);
    }

    private Optional<StartResult> replay(App app, String key, java.util.List<byte[]> requestHash, Instant now) {
        return idempotency.replay(app.id(), key, requestHash, now)
                .map(verification -> new StartResult.Started(verification, true, null));
    }
}
