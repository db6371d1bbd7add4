package dev.otpgate.simswap;

import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** A detected SIM swap in the audit trail (S-07), queued durably when the delivery worker sees it. */
@Component
class SimSwapAudit {

    private final AuditTrail audit;

    SimSwapAudit(AuditTrail audit) {
        this.audit = audit;
    }

    @EventListener
    void on(SimSwapDetected event) {
        audit.recordLater(AuditEntry.detected("simswap.detected", event.appId(), event.verificationId()));
    }
}
