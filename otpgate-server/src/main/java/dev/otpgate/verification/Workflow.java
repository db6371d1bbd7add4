package dev.otpgate.verification;

import dev.otpgate.apps.Channel;
import dev.otpgate.apps.DeliverySettings.WorkflowStep;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The planned steps of one verification, in order, each a channel and how long its code waits for approval
 * before the next step starts. A one-step workflow without a timeout is stored as no workflow at all (the
 * verification's channel is its only step).
 */
record Workflow(List<WorkflowStep> steps) {

    /** A step without its own timeout waits this long before the next step starts. */
    static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final TypeReference<List<WorkflowStep>> TYPE = new TypeReference<>() {};

    Workflow {
        steps = List.copyOf(steps);
    }

    static Workflow of(Verification verification, JsonMapper json) {
        return verification.workflowJson() == null
                ? new Workflow(List.of(new WorkflowStep(verification.channel(), null)))
                : new Workflow(json.readValue(verification.workflowJson(), TYPE));
    }

    /** The JSON to store, or {@code null} for a single step without a timeout. */
    String toJson(JsonMapper json) {
        return steps.size() == 1 && steps.getFirst().timeoutSeconds() == null ? null : json.writeValueAsString(steps);
    }

    Channel channel(int index) {
        return Channel.named(steps.get(index).channel());
    }

    int size() {
        return steps.size();
    }

    /** How long step {@code index}'s code waits for approval before the next step starts; empty when none follows. */
    Optional<Duration> timeout(int index) {
        if (index >= steps.size()) {
            return Optional.empty();
        }
        Integer seconds = steps.get(index).timeoutSeconds();
        if (seconds != null) {
            return Optional.of(Duration.ofSeconds(seconds));
        }
        return index + 1 < steps.size() ? Optional.of(DEFAULT_STEP_TIMEOUT) : Optional.empty();
    }
}
