package dev.otpgate.verification;

import dev.otpgate.apps.Channel;
import java.util.List;

/**
 * Where a workflow goes next: the step to send ({@code workflowIndex}, {@code channel}) and the steps before it
 * that the send rules refused and that are recorded as {@code skipped}.
 */
record WorkflowMove(int workflowIndex, Channel channel, List<Skip> skipped) {

    /** A step not sent because {@code refusal} says its channel may not be used now. */
    record Skip(int workflowIndex, Channel channel, Refusal refusal) {}

    WorkflowMove {
        skipped = List.copyOf(skipped);
    }

    /** The skipped steps as delivery records them. */
    static List<dev.otpgate.delivery.DeliverySteps.Skipped> records(List<Skip> skipped) {
        return skipped.stream()
                .map(skip -> new dev.otpgate.delivery.DeliverySteps.Skipped(skip.channel().value(), skip.refusal().type()))
                .toList();
    }

    /** The same step's channel, or another one the client chose: nothing skipped. */
    static WorkflowMove to(int workflowIndex, Channel channel) {
        return new WorkflowMove(workflowIndex, channel, List.of());
    }
}
