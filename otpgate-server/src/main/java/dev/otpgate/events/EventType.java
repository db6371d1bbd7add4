package dev.otpgate.events;

import java.util.Arrays;
import java.util.Optional;

/** The event catalogue: the {@code type} of every event otpgate sends. docs/api.md shows each payload. */
enum EventType {
    VERIFICATION_STARTED("verification.started"),
    VERIFICATION_APPROVED("verification.approved"),
    VERIFICATION_CANCELED("verification.canceled"),
    VERIFICATION_EXPIRED("verification.expired"),
    VERIFICATION_FAILED("verification.failed"),
    DELIVERY_SENT("delivery.sent"),
    DELIVERY_DELIVERED("delivery.delivered"),
    DELIVERY_UNDELIVERED("delivery.undelivered"),
    DELIVERY_FAILED("delivery.failed"),
    FRAUD_FLAGGED("fraud.flagged"),
    FRAUD_BLOCKED("fraud.blocked"),
    TOTP_FACTOR_ACTIVATED("totp_factor.activated"),
    TOTP_FACTOR_LOCKED("totp_factor.locked"),
    TOTP_FACTOR_DELETED("totp_factor.deleted"),
    /** Sent only on request ({@code POST …/test}), to the one endpoint asked, whatever its filter. */
    WEBHOOK_TEST("webhook.test");

    private final String value;

    EventType(String value) {
        this.value = value;
    }

    String value() {
        return value;
    }

    static Optional<EventType> of(String value) {
        return Arrays.stream(values()).filter(type -> type.value.equals(value)).findFirst();
    }
}
