package dev.otpgate.access;

import java.util.Arrays;
import java.util.Optional;

/** Per-operation scopes (S-31). {@link #ADMIN} is instance-wide and never given to an app key. */
public enum Scope {
    VERIFICATIONS_START("verifications:start"),
    VERIFICATIONS_CHECK("verifications:check"),
    TOTP_MANAGE("totp:manage"),
    TOTP_CHECK("totp:check"),
    /** Lifting a fraud block ({@code DELETE /v1/fraud/blocks/{id}}): switching off a defence is its own right. */
    FRAUD_MANAGE("fraud:manage"),
    /** Reading the audit trail ({@code GET /v1/audit-events}), for the key's own app. */
    AUDIT_READ("audit:read"),
    WEBHOOKS_MANAGE("webhooks:manage"),
    PRIVACY_MANAGE("privacy:manage"),
    ADMIN("admin");

    private final String value;

    Scope(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** The Spring Security authority that stands for this scope. */
    public String authority() {
        return "SCOPE_" + value;
    }

    public static Optional<Scope> of(String value) {
        return Arrays.stream(values()).filter(scope -> scope.value.equals(value)).findFirst();
    }
}
