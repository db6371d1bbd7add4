package dev.otpgate.audit;

import dev.otpgate.platform.CodeKeyRotated;
import dev.otpgate.platform.DataKeyRotated;
import dev.otpgate.platform.IndexKeyChanged;
import dev.otpgate.platform.JwtKeyRotated;
import dev.otpgate.platform.KeyRing;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Key changes in the trail. A rotation is recorded on the request that made it, right after the new key set was
 * written (a file, which no database transaction can include: if the row cannot be written the request fails with
 * the key already rotated, and says so in its 500). A master key change is recorded by the node that re-wrapped the
 * key sets when it started.
 */
@Component
class KeyEventsAudit {

    private final AuditChain chain;
    private final TransactionTemplate transactions;
    private final KeyRing keys;

    KeyEventsAudit(AuditChain chain, TransactionTemplate transactions, KeyRing keys) {
        this.chain = chain;
        this.transactions = transactions;
        this.keys = keys;
    }

    @EventListener
    void on(DataKeyRotated event) {
        record(AuditEntry.success("key.data_rotated", null, Integer.toUnsignedString(event.primaryKeyId())));
    }

    @EventListener
    void on(CodeKeyRotated event) {
        record(AuditEntry.success("key.code_rotated", null, Integer.toUnsignedString(event.primaryKeyId())));
    }

    @EventListener
    void on(IndexKeyChanged event) {
        record(AuditEntry.success("key.index_" + event.step(), null, event.keyId()));
    }

    @EventListener
    void on(JwtKeyRotated event) {
        record(AuditEntry.success("key.jwt_rotated", null, event.keyId())
                .with("previous_key_id", event.previousKeyId())
                .with("previous_withdrawn_at", event.previousWithdrawnAt()));
    }

    @EventListener(ApplicationReadyEvent.class)
    void masterKeyChanged() {
        if (!keys.rewrappedKeySets().isEmpty()) {
            record(AuditEntry.success("key.master_changed", null, null)
                    .with("key_sets", String.join(" ", keys.rewrappedKeySets())));
        }
    }

    private void record(AuditEntry entry) {
        transactions.executeWithoutResult(tx -> chain.append(entry));
    }
}
