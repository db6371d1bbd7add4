package dev.otpgate.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.apps.Channel;
import dev.otpgate.apps.DeliverySettings.WorkflowStep;
import dev.otpgate.privacy.Destination;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The state a verification's workflow is in, without a server: which step follows, how long each waits, how a
 * workflow is stored, which channels reach which destinations, and expiry at the exact second (S-09, S-15).
 */
class WorkflowStateTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void timeoutWhenAStepHasNoneOfItsOwnThenSixtySecondsIfAnotherFollowsAndNoneForTheLast() {
        Workflow workflow = new Workflow(List.of(new WorkflowStep("sms", 30), new WorkflowStep("voice", null),
                new WorkflowStep("whatsapp", null)));

        assertThat(workflow.timeout(0)).contains(Duration.ofSeconds(30));
        assertThat(workflow.timeout(1)).contains(Workflow.DEFAULT_STEP_TIMEOUT);
        assertThat(workflow.timeout(2)).isEmpty();
        assertThat(workflow.timeout(3)).isEmpty();
        assertThat(CodeIssuer.timeoutSeconds(workflow, 1)).isEqualTo(60);
        assertThat(CodeIssuer.timeoutSeconds(workflow, 2)).isNull();
        assertThat(workflow.channel(1)).isEqualTo(Channel.VOICE);
    }

    @Test
    void storeWhenOneStepWithoutTimeoutThenNoWorkflowIsStoredAndTheChannelIsTheOnlyStep() {
        Workflow single = new Workflow(List.of(new WorkflowStep("sms", null)));
        assertThat(single.toJson(JSON)).isNull();

        Verification row = verification("whatsapp", null, 0);
        assertThat(Workflow.of(row, JSON).steps()).containsExactly(new WorkflowStep("whatsapp", null));
    }

    @Test
    void storeWhenSeveralStepsThenTheStoredJsonReadsBackTheSameSteps() {
        Workflow workflow = new Workflow(List.of(new WorkflowStep("sms", 20), new WorkflowStep("whatsapp", null)));
        String stored = workflow.toJson(JSON);

        assertThat(stored).isNotNull();
        assertThat(Workflow.of(verification("sms", stored, 0), JSON)).isEqualTo(workflow);
        assertThat(new Workflow(List.of(new WorkflowStep("sms", 20))).toJson(JSON))
                .as("a single step with a timeout of its own is kept").isNotNull();
    }

    @Test
    void channelWhenAskedWhatItReachesThenPhoneChannelsAreSmsAndVoiceAndEmailReachesOnlyAddresses() {
        Destination phone = new Destination(Destination.Type.PHONE, "+14155550123", "US");
        Destination email = new Destination(Destination.Type.EMAIL, "jane@example.com", null);

        assertThat(Channel.values()).filteredOn(Channel::isPhone).containsExactly(Channel.SMS, Channel.VOICE);
        assertThat(Channel.WHATSAPP.reaches(phone)).isTrue();
        assertThat(Channel.WHATSAPP.reaches(email)).isFalse();
        assertThat(Channel.EMAIL.reaches(email)).isTrue();
        assertThat(Channel.EMAIL.reaches(phone)).isFalse();
        assertThat(Channel.of("SMS")).as("names are exact").isEmpty();
        assertThat(Channel.isPhone("carrier-pigeon")).isFalse();
        assertThat(Channel.NAMES).containsExactly("sms", "voice", "whatsapp", "email");
    }

    @Test
    void expiryWhenTheCodeLifetimeEndsThenTheLastSecondIsStillValidAndTheNextIsNot_S09() {
        Verification row = verification("sms", null, 0);

        assertThat(row.expiredAt(row.expiresAt().minusSeconds(1))).isFalse();
        assertThat(row.expiredAt(row.expiresAt())).isTrue();
        assertThat(row.approvedAt(Instant.EPOCH.plusSeconds(5)).status()).isEqualTo(VerificationStatus.APPROVED);
        assertThat(VerificationStatus.of("expired")).isEqualTo(VerificationStatus.EXPIRED);
    }

    private static Verification verification(String channel, String workflowJson, int workflowIndex) {
        Instant created = Instant.EPOCH;
        return new Verification("vrf_x", "app_x", VerificationStatus.PENDING, channel, "phone", new byte[0], new byte[0],
                "+1 415 ••• ••23", new byte[32], 1, 0, 5, 1, 5, 0, 600, "en", null, null, null, "queued", null, null,
                created, created, created.plusSeconds(600), created, null, workflowJson, workflowIndex, false, false, "US",
                "+1415", null);
    }
}
