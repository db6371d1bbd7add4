package dev.otpgate.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.apps.App;
import dev.otpgate.apps.Channel;
import dev.otpgate.apps.DefenceSettings;
import dev.otpgate.apps.DeliverySettings;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.privacy.Destination;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/**
 * The send decision as a value: the policy asks its rules in order, stops at the first refusal, gives back what
 * the rules before it reserved, keeps the tightest quota, and the web edge alone turns a refusal into a status.
 */
class SendPolicyTests {

    private static final App APP = new App("app_x", "X", "X", 6, 600, 5, 5, 0, List.of("sms", "whatsapp"), "sms", "en",
            1, 5, DeliverySettings.DEFAULTS, DefenceSettings.DEFAULTS, Instant.EPOCH, Instant.EPOCH);
    private static final SendAttempt ATTEMPT = new SendAttempt(APP, "vrf_x", new Destination(Destination.Type.PHONE,
            "+14155550123", "US"), new byte[32], Channel.SMS, SendAttempt.Origin.RESEND, false, null, "key_x");

    /** A rule that answers as told and remembers what it was asked. */
    private static final class Recording implements SendRule {

        final SendDecision answer;
        final List<String> calls;
        final String name;

        Recording(String name, SendDecision answer, List<String> calls) {
            this.name = name;
            this.answer = answer;
            this.calls = calls;
        }

        @Override
        public SendDecision evaluate(SendAttempt attempt) {
            calls.add(name + ".evaluate");
            return answer;
        }

        @Override
        public void abandoned(SendAttempt attempt) {
            calls.add(name + ".abandoned");
        }
    }

    private static final Refusal UNDELIVERABLE = Refusal.undeliverable("undeliverable-destination",
            "Undeliverable destination", "no").with("number_type", "premium_rate");

    @Test
    void decideWhenEveryRuleAllowsThenAllowedWithTheQuotaARuleGave() {
        List<String> calls = new ArrayList<>();
        Refusal.Quota quota = new Refusal.Quota("\"p\";q=5;w=600", "\"p\";r=4;t=600");
        SendPolicy policy = new SendPolicy(List.of(new Recording("a", SendDecision.allowed(), calls),
                new Recording("b", SendDecision.allowed(quota), calls), new Recording("c", SendDecision.allowed(), calls)));

        SendDecision decision = policy.decide(ATTEMPT);

        assertThat(decision).isEqualTo(SendDecision.allowed(quota));
        assertThat(calls).containsExactly("a.evaluate", "b.evaluate", "c.evaluate");
    }

    @Test
    void decideWhenARuleRefusesThenLaterRulesAreNotAskedAndEarlierOnesGiveBackWhatTheyReserved() {
        List<String> calls = new ArrayList<>();
        SendPolicy policy = new SendPolicy(List.of(new Recording("a", SendDecision.allowed(), calls),
                new Recording("b", SendDecision.refused(UNDELIVERABLE), calls),
                new Recording("c", SendDecision.allowed(), calls)));

        SendDecision decision = policy.decide(ATTEMPT);

        assertThat(decision).isEqualTo(SendDecision.refused(UNDELIVERABLE));
        assertThat(calls).containsExactly("a.evaluate", "b.evaluate", "a.abandoned");
    }

    @Test
    void abandonWhenTheSendDidNotHappenThenEveryRuleIsTold() {
        List<String> calls = new ArrayList<>();
        SendPolicy policy = new SendPolicy(List.of(new Recording("a", SendDecision.allowed(), calls),
                new Recording("b", SendDecision.allowed(), calls)));

        policy.abandon(ATTEMPT);

        assertThat(calls).containsExactly("a.abandoned", "b.abandoned");
    }

    @Test
    void carryOutWhenTheSendDoesNotHappenOrFailsThenEveryRuleGivesBackAndWhenItHappensNoneDoes() {
        List<String> calls = new ArrayList<>();
        SendPolicy policy = new SendPolicy(List.of(new Recording("a", SendDecision.allowed(), calls)));

        assertThat(policy.carryOut(ATTEMPT, () -> true)).isTrue();
        assertThat(calls).isEmpty();

        assertThat(policy.carryOut(ATTEMPT, () -> false)).isFalse();
        assertThat(calls).containsExactly("a.abandoned");

        calls.clear();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> policy.carryOut(ATTEMPT, () -> {
            throw new IllegalStateException("database down");
        })).hasMessage("database down");
        assertThat(calls).containsExactly("a.abandoned");
    }

    @Test
    void problemWhenRefusedThenEachKindHasItsStatusAndTheWaitAndQuotaBecomeHeaders() {
        assertThat(Problems.of(UNDELIVERABLE).status()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT);
        assertThat(Problems.of(Refusal.notAllowed("country-not-allowed", "t", "d")).status()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(Problems.of(Refusal.unavailable("rate-limit-unavailable", "t", "d", Duration.ofSeconds(5))).status())
                .isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);

        Refusal limited = Refusal.limited("rate-limited", "Too many requests", "d", Duration.ofMillis(41_200))
                .with("policy", "starts-per-destination")
                .withQuota(new Refusal.Quota("\"starts-per-destination\";q=5;w=600", "\"starts-per-destination\";r=0;t=42"));
        ApiProblem problem = Problems.of(limited);
        assertThat(problem.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
        assertThat(problem.slug()).isEqualTo("rate-limited");
        assertThat(problem.retryAfter()).isEqualTo(Duration.ofSeconds(42));
        assertThat(problem.headers()).containsEntry("RateLimit", "\"starts-per-destination\";r=0;t=42")
                .containsEntry("RateLimit-Policy", "\"starts-per-destination\";q=5;w=600");
    }

    @Test
    void refusalWhenDetailsAreAddedThenTheOriginalIsUnchanged() {
        Refusal base = Refusal.notAllowed("fraud-blocked", "t", "d");
        Refusal more = base.with("reason", "sequential-numbers").withRetryAfter(Duration.ofMinutes(5));

        assertThat(base.details()).isEmpty();
        assertThat(base.retryAfter()).isNull();
        assertThat(more.details()).containsEntry("reason", "sequential-numbers");
        assertThat(more.retryAfter()).isEqualTo(Duration.ofMinutes(5));
    }
}
