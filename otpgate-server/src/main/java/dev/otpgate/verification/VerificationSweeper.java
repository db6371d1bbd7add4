package dev.otpgate.verification;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A recurring job (one node runs it at a time): marks due verifications expired, so that their
 * {@code VerificationExpired} events fire even when nobody reads them, and drops idempotency records older
 * than 24 hours.
 */
@Configuration(proxyBeanMethods = false)
class VerificationSweeper {

    @Bean
    RecurringTask<Void> verificationSweep(Expiry expiry, Idempotency idempotency, Clock clock) {
        return Tasks.recurring("verification-sweep", FixedDelay.ofSeconds(30))
                .execute((instance, context) -> {
                    while (expiry.expireDue(500) == 500) {
                        // More were due than one batch holds.
                    }
                    idempotency.forgetOlderThan(clock.instant().minus(Idempotency.WINDOW));
                });
    }
}
