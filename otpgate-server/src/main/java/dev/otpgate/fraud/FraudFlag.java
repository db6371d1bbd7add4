package dev.otpgate.fraud;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A flag or a block and the figures behind it. A block covers {@code prefix} or, when that is null, every
 * number of {@code country}.
 */
record FraudFlag(String id, String appId, String reason, String action, String prefix, String country, int starts,
        int approvals, BigDecimal baseline, BigDecimal factor, Instant createdAt, Instant expiresAt, Instant liftedAt,
        String liftedBy) {

    static final String FLAGGED = "flagged";
    static final String BLOCKED = "blocked";

    boolean isBlock() {
        return BLOCKED.equals(action);
    }

    boolean activeAt(Instant now) {
        return isBlock() && liftedAt == null && expiresAt != null && expiresAt.isAfter(now);
    }

    /** Whether this block applies to a number of {@code numberPrefix} in {@code numberCountry}. */
    boolean covers(String numberPrefix, String numberCountry) {
        return prefix != null ? prefix.equals(numberPrefix) : country != null && country.equals(numberCountry);
    }

    /** What one flag is about, so one cause is not flagged again while it lasts. */
    String subject() {
        return appId + "|" + reason + "|" + (prefix != null ? prefix : "") + "|" + (country != null ? country : "");
    }
}
