package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.apps.Channel;
import dev.otpgate.platform.Ids;
import dev.otpgate.privacy.Destination;
import dev.otpgate.privacy.Destinations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * What a client does with a verification after starting it, other than checking: read it, ask for another code
 * (the same channel, another one, or the workflow's next step) and cancel it. Every resend asks the
 * {@link SendPolicy} for the channel of that send, as a start does; a refused resend answers with the same
 * refusal a start would and changes nothing. A resend invalidates the previous code (S-04) and keeps the attempt
 * count.
 */
@Service
class LifecycleService {

    /** How a resend ended. */
    sealed interface ResendResult {

        record Resent(Verification verification) implements ResendResult {}

        record Refused(Refusal refusal) implements ResendResult {}

        record NotPending(Verification verification) implements ResendResult {}

        record MaxSends(int maxSends) implements ResendResult {}

        record Cooldown(Duration remaining) implements ResendResult {}

        /** {@code next}, and the workflow has no step after the current one. */
        record NoNextStep() implements ResendResult {}

        /** A parallel resend, check or cancel changed the row first. */
        record Changed() implements ResendResult {}
    }

    /** How a cancel ended: the canceled verification, or the one that was no longer pending. */
    sealed interface CancelResult {

        record Canceled(Verification verification) implements CancelResult {}

        record NotPending(Verification verification) implements CancelResult {}
    }

    private final VerificationRepository verifications;
    private final AppDirectory apps;
    private final Destinations destinations;
    private final SendPolicy policy;
    private final WorkflowEngine workflows;
    private final CodeIssuer issuer;
    private final Expiry expiry;
    private final Finisher finisher;
    private final Clock clock;

    LifecycleService(VerificationRepository verifications, AppDirectory apps, Destinations destinations,
            SendPolicy policy, WorkflowEngine workflows, CodeIssuer issuer, Expiry expiry, Finisher finisher, Clock clock) {
        this.verifications = verifications;
        this.apps = apps;
        this.destinations = destinations;
        this.policy = policy;
        this.workflows = workflows;
        this.issuer = issuer;
        this.expiry = expiry;
        this.finisher = finisher;
        this.clock = clock;
    }

    /** The verification, expired first if it is due; empty for an unknown id or another app's (S-14). */
    Optional<Verification> get(String appId, String id) {
        return find(appId, id).map(v -> expiry.expireIfDue(v, clock.instant()));
    }

    /**
     * A new code on {@code channel} (or the current step's), or with {@code next} on the workflow's next step that
     * the send rules allow, recording the refused ones before it as skipped.
     *
     * @param channel validated at the edge; {@code null}: the current step's
     */
    Optional<ResendResult> resend(String appId, String id, Channel channel, boolean next, String apiKeyId) {
        return find(appId, id).map(found -> {
            Instant now = clock.instant();
            Verification verification = expiry.expireIfDue(found, now);
            if (verification.status() != VerificationStatus.PENDING) {
                return new ResendResult.NotPending(verification);
            }
            if (verification.sendCount() >= verification.maxSends()) {
                return new ResendResult.MaxSends(verification.maxSends());
            }
            Instant allowedAt = verification.lastSentAt().plusSeconds(verification.resendCooldownSeconds());
            if (now.isBefore(allowedAt)) {
                return new ResendResult.Cooldown(Duration.between(now, allowedAt));
            }
            App app = apps.find(appId).orElse(null);
            if (app == null) {
                return new ResendResult.NotPending(verification);
            }
            Destination destination = destinations.open(verification.destinationCiphertext(), appId);
            WorkflowMove move;
            SendAttempt attempt;
            if (next) {
                switch (workflows.plan(app, verification, destination, SendAttempt.Origin.RESEND, apiKeyId)) {
                    case WorkflowEngine.Plan.Exhausted exhausted -> {
                        Refusal first = exhausted.firstRefusal();
                        return first == null ? new ResendResult.NoNextStep() : new ResendResult.Refused(first);
                    }
                    case WorkflowEngine.Plan.Move planned -> {
                        move = planned.move();
                        attempt = planned.attempt();
                    }
                }
            } else {
                Channel target = channel != null ? channel : Channel.named(verification.channel());
                attempt = new SendAttempt(app, id, destination, verification.destinationIndex(), target,
                        SendAttempt.Origin.RESEND, verification.phoneBlocked(), verification.endUserIp(), apiKeyId);
                if (policy.decide(attempt) instanceof SendDecision.Refused refused) {
                    return new ResendResult.Refused(refused.refusal());
                }
                move = WorkflowMove.to(verification.workflowIndex(), target);
            }
            WorkflowMove chosen = move;
            if (!policy.carryOut(attempt, () -> issuer.replace(app, verification, destination, chosen, true, now))) {
                return new ResendResult.Changed();
            }
            if (next) {
                finisher.noteEnded(id, verification.codeStep(), "skipped ahead by the client");
            }
            return new ResendResult.Resent(expiry.reload(verification));
        });
    }

    Optional<CancelResult> cancel(String appId, String id) {
        return find(appId, id).map(found -> {
            Instant now = clock.instant();
            Verification verification = expiry.expireIfDue(found, now);
            if (verification.status() == VerificationStatus.PENDING && finisher.cancel(verification, now)) {
                return new CancelResult.Canceled(expiry.reload(verification));
            }
            return new CancelResult.NotPending(expiry.reload(verification));
        });
    }

    private Optional<Verification> find(String appId, String id) {
        return Ids.looksLike("vrf", id) ? verifications.find(appId, id) : Optional.empty();
    }
}
