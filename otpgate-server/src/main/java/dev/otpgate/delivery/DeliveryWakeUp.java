package dev.otpgate.delivery;

import com.github.kagkarlsson.scheduler.Scheduler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** Nudges the local scheduler to look for due jobs now instead of at its next poll. */
@Component
class DeliveryWakeUp {

    private final ObjectProvider<Scheduler> scheduler;

    DeliveryWakeUp(ObjectProvider<Scheduler> scheduler) {
        this.scheduler = scheduler;
    }

    void now() {
        Scheduler local = scheduler.getIfAvailable();
        if (local != null) {
            local.triggerCheckForDueExecutions();
        }
    }
}
