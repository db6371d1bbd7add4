package dev.otpgate.delivery.engine;

import com.github.kagkarlsson.scheduler.Scheduler;
import org.springframework.stereotype.Component;

/** Nudges the local scheduler to look for due jobs now instead of at its next poll. */
@Component
public class DeliveryWakeUp {

    private final Scheduler scheduler;

    DeliveryWakeUp(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    public void now() {
        scheduler.triggerCheckForDueExecutions();
    }
}
