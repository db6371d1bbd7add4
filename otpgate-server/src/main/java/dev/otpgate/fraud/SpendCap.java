package dev.otpgate.fraud;

import dev.otpgate.apps.App;
import dev.otpgate.verification.Refusal;
import dev.otpgate.verification.SendAttempt;
import dev.otpgate.verification.SendDecision;
import dev.otpgate.verification.SendRule;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The app's daily budget for SMS and voice ({@code defences.daily_budget}), the last send rule: each send is
 * priced by its own channel and country ({@code otpgate.fraud.prices}) and reserved in the ledger when it fits,
 * so starts, resends and workflow steps draw on one budget. A reservation whose send does not happen is given
 * back. Other nodes' sends are seen once they flushed them and this node refreshed (see {@link FraudLedger}).
 */
@Component
@Order(90)
class SpendCap implements SendRule {

    private final FraudLedger ledger;
    private final FraudProperties properties;
    private final Clock clock;

    SpendCap(FraudLedger ledger, FraudProperties properties, Clock clock) {
        this.ledger = ledger;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public SendDecision evaluate(SendAttempt attempt) {
        BigDecimal price = price(attempt);
        if (price == null) {
            return SendDecision.allowed();
        }
        Instant now = clock.instant();
        LocalDate today = FraudLedger.day(now);
        App app = attempt.app();
        if (ledger.reserve(app.id(), today, price, app.defences().dailyBudget())) {
            return SendDecision.allowed();
        }
        Instant midnight = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return SendDecision.refused(Refusal.limited("budget-exhausted", "Daily budget exhausted",
                "this app's daily budget for SMS and voice is spent; email and TOTP still work",
                Duration.between(now, midnight)));
    }

    @Override
    public void abandoned(SendAttempt attempt) {
        BigDecimal price = price(attempt);
        if (price != null) {
            ledger.release(attempt.app().id(), FraudLedger.day(clock.instant()), price);
        }
    }

    /** The price this send reserves, or {@code null} when the app has no budget or the channel costs nothing. */
    private BigDecimal price(SendAttempt attempt) {
        if (!attempt.channel().isPhone() || attempt.app().defences().dailyBudget() == null) {
            return null;
        }
        BigDecimal price = properties.price(attempt.destination().regionCode(), attempt.channel().value());
        return price.signum() > 0 ? price : null;
    }
}
