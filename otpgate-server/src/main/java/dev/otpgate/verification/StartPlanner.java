package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.Channel;
import dev.otpgate.apps.DeliverySettings;
import dev.otpgate.apps.DeliverySettings.WorkflowStep;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.privacy.Destination;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The steps a start runs: its {@code workflow}, else its {@code channel} as one step, else the app's default
 * workflow. Steps that cannot reach the destination (email for a phone, a phone channel for an address) are
 * dropped from a default workflow; in a requested one they are a 400. Every step of a requested workflow must
 * be allowed and deliverable; whether the first may be sent now is the send policy's to say.
 */
@Component
class StartPlanner {

    private final ChannelRule channels;

    StartPlanner(ChannelRule channels) {
        this.channels = channels;
    }

    /** The planned workflow, or why one of its steps cannot be used at all. */
    sealed interface Plan {

        record Planned(Workflow workflow) implements Plan {}

        record Refused(Refusal refusal) implements Plan {}
    }

    Plan plan(App app, String channel, List<WorkflowStep> requested, Destination destination) {
        if (requested != null) {
            if (channel != null) {
                throw ApiProblem.invalid("channel", "cannot be combined with workflow");
            }
            if (requested.isEmpty()) {
                throw ApiProblem.invalid("workflow", "must hold 1–4 steps");
            }
            List<WorkflowStep> steps = DeliverySettings.workflow("workflow", requested, Channel.NAMES);
            for (int i = 0; i < steps.size(); i++) {
                if (!Channel.named(steps.get(i).channel()).reaches(destination)) {
                    throw ApiProblem.invalid("workflow[" + i + "].channel", destination.isPhone()
                            ? "a phone number cannot receive email" : "an email address needs the email channel");
                }
            }
            for (WorkflowStep step : steps) {
                Refusal refused = channels.refusal(app, Channel.named(step.channel()));
                if (refused != null) {
                    return new Plan.Refused(refused);
                }
            }
            return new Plan.Planned(new Workflow(steps));
        }
        if (channel != null) {
            return new Plan.Planned(new Workflow(List.of(new WorkflowStep(valid(channel, destination).value(), null))));
        }
        List<WorkflowStep> steps = app.defaultWorkflow().stream()
                .filter(step -> Channel.named(step.channel()).reaches(destination)).toList();
        if (steps.isEmpty()) {
            return new Plan.Planned(new Workflow(List.of(new WorkflowStep(defaultChannel(app, destination).value(), null))));
        }
        return new Plan.Planned(new Workflow(steps));
    }

    private static Channel valid(String name, Destination destination) {
        Channel channel = Channel.of(name).orElseThrow(() -> ApiProblem.invalid("channel", "must be one of " + Channel.NAMES));
        if (!channel.reaches(destination)) {
            throw ApiProblem.invalid("channel", destination.isPhone()
                    ? "a phone number cannot receive email" : "an email address needs the email channel");
        }
        return channel;
    }

    /** Email for an address; for a phone, the app's default channel, or its first allowed phone-capable one. */
    private static Channel defaultChannel(App app, Destination destination) {
        if (!destination.isPhone()) {
            return Channel.EMAIL;
        }
        if (!app.defaultChannel().equals(Channel.EMAIL.value())) {
            return Channel.named(app.defaultChannel());
        }
        return app.allowedChannels().stream().map(Channel::named).filter(c -> c != Channel.EMAIL).findFirst()
                .orElse(Channel.SMS);
    }
}
