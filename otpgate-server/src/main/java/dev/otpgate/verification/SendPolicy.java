package dev.otpgate.verification;

import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The one decision every code that leaves otpgate passes, for the channel of that send: the {@link SendRule}s
 * in order (channel allowed and deliverable, country allowlist, number type, fraud blocks, phone channels
 * blocked by a SIM swap, send limits, spend cap). The first refusal is the answer; rules that passed before it
 * are told, so a reservation is given back. It does not decide what happens with a refusal: a client's request
 * answers with it, a workflow step is skipped.
 */
@Component
class SendPolicy {

    private final List<SendRule> rules;

    SendPolicy(List<SendRule> rules) {
        this.rules = List.copyOf(rules);
    }

    SendDecision decide(SendAttempt attempt) {
        Refusal.Quota quota = null;
        for (int i = 0; i < rules.size(); i++) {
            switch (rules.get(i).evaluate(attempt)) {
                case SendDecision.Refused refused -> {
                    for (int j = 0; j < i; j++) {
                        rules.get(j).abandoned(attempt);
                    }
                    return refused;
                }
                case SendDecision.Allowed allowed -> quota = allowed.quota() != null ? allowed.quota() : quota;
            }
        }
        return SendDecision.allowed(quota);
    }

    /** The allowed send did not happen (its transaction failed): every rule may give back what it reserved. */
    void abandon(SendAttempt attempt) {
        rules.forEach(rule -> rule.abandoned(attempt));
    }

    /**
     * Carries out a send this policy allowed: {@code send} writes it and answers whether it happened. When it did
     * not, or failed, the rules give back what they reserved for it, so no path can forget to.
     */
    boolean carryOut(SendAttempt attempt, java.util.function.BooleanSupplier send) {
        boolean happened;
        try {
            happened = send.getAsBoolean();
        } catch (RuntimeException e) {
            abandon(attempt);
            throw e;
        }
        if (!happened) {
            abandon(attempt);
        }
        return happened;
    }
}
