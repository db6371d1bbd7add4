package dev.otpgate.verification;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Once a SIM swap blocked a verification's phone channels (S-07), no SMS or call goes out for it again, whoever
 * asks. The SIM-swap check itself runs before each phone send, where the message leaves ({@code delivery});
 * this rule keeps its verdict for the sends after it.
 */
@Component
@Order(50)
class PhoneBlockRule implements SendRule {

    @Override
    public SendDecision evaluate(SendAttempt attempt) {
        if (attempt.phoneBlocked() && attempt.channel().isPhone()) {
            return SendDecision.refused(Refusal.notAllowed("phone-channels-blocked", "Phone channels blocked",
                    "phone channels are blocked for this verification").with("reason", "sim-swap-detected"));
        }
        return SendDecision.allowed();
    }
}
