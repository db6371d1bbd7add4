package dev.otpgate.delivery;

import com.github.kagkarlsson.scheduler.Scheduler;
import org.springframework.stereotype.Component;

/** Nudges the local scheduler to look for due jobs now instead of at its next poll. */
@Component
class DeliveryWakeUp {

    private final Scheduler scheduler;

    DeliveryWakeUp(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    void now() {
        scheduler.triggerCheckForDueExecutions();
    }
}
