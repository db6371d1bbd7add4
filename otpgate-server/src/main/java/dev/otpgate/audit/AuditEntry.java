package dev.otpgate.audit;

import java.util.Map;
import java.util.TreeMap;

/**
 * What happened, as a caller hands it to the {@link AuditTrail}: the action ({@code app.created},
 * {@code totp.code_replayed}, ...), its outcome, the app and the target it concerns, and a few details. Details
 * must hold nothing secret (S-45): no code, seed, key, token or full destination; a destination appears as its
 * masked form only. The actor and the client address come from the request being served unless given with
 * {@link #by}; outside a request the actor is {@code system}.
 */
public record AuditEntry(String action, Outcome outcome, String appId, String targetId, Map<String, Object> details,
        String actor, String clientAddress) {

    /** How the action ended. */
    public enum Outcome {
        SUCCESS, FAILURE, DETECTED;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public AuditEntry {
        if (action == null || !action.matches("[a-z][a-z_]*(\\.[a-z][a-z_]*)+") || action.length() > 64) {
            throw new IllegalArgumentException("an audit action is lower-case dotted words, was " + action);
        }
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(details));
    }

    /** An action that was carried out. */
    public static AuditEntry success(String action, String appId, String targetId) {
        return new AuditEntry(action, Outcome.SUCCESS, appId, targetId, Map.of(), null, null);
    }

    /** An action that was refused or failed. */
    public static AuditEntry failure(String action, String appId, String targetId) {
        return new AuditEntry(action, Outcome.FAILURE, appId, targetId, Map.of(), null, null);
    }

    /** A security event the service noticed (a replay, a lockout, a SIM swap, a fraud flag). */
    public static AuditEntry detected(String action, String appId, String targetId) {
        return new AuditEntry(action, Outcome.DETECTED, appId, targetId, Map.of(), null, null);
    }

    /** This entry with one more detail; the value must not be secret. */
    public AuditEntry with(String name, Object value) {
        Map<String, Object> more = new TreeMap<>(details);
        if (value != null) {
            more.put(name, value instanceof Number || value instanceof Boolean ? value : value.toString());
        }
        return new AuditEntry(action, outcome, appId, targetId, more, actor, clientAddress);
    }

    /** This entry on behalf of {@code actor} (a key id, an OAuth client id, {@code system}), from an address. */
    public AuditEntry by(String actor, String clientAddress) {
        return new AuditEntry(action, outcome, appId, targetId, details, actor, clientAddress);
    }
}
