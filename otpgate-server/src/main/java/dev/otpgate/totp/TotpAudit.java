package dev.otpgate.totp;

import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.totp.TotpEvents.CodeReplayed;
import dev.otpgate.totp.TotpEvents.FactorLocked;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** The TOTP security events in the audit trail (S-19, S-22): queued durably when seen, off the check's path. */
@Component
class TotpAudit {

    private final AuditTrail audit;

    TotpAudit(AuditTrail audit) {
        this.audit = audit;
    }

    @EventListener
    void on(CodeReplayed event) {
        audit.recordLater(AuditEntry.detected("totp.code_replayed", event.appId(), event.factorId()).with("step", event.step()));
    }

    @EventListener
    void on(FactorLocked event) {
        audit.recordLater(AuditEntry.detected("totp.factor_locked", event.appId(), event.factorId())
                .with("locked_until", event.until()));
    }
}
