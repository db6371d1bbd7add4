package dev.otpgate.verification;

import java.util.Locale;

/** pending → approved | canceled | expired | failed; nothing leaves a final state (S-15). */
public enum VerificationStatus {
    PENDING,
    APPROVED,
    CANCELED,
    EXPIRED,
    FAILED;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static VerificationStatus of(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
