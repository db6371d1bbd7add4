package dev.otpgate.verification;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Why a send or a check was refused, as a value: what kind of refusal it is, a stable problem type, a sentence for
 * the client, an optional wait, details without secrets (S-45) and, for rate limits, the quota the client used up.
 * The web edge alone turns it into a status code and headers; a workflow step refused by it is recorded as
 * {@code skipped} with its {@link #type()} as the reason.
 *
 * @param type the problem type's slug, such as {@code undeliverable-destination}
 * @param retryAfter when asking again can succeed; {@code null} when waiting does not help
 */
public record Refusal(Kind kind, String type, String title, String detail, Duration retryAfter,
        Map<String, Object> details, Quota quota) {

    /** What a refusal means for the caller; the web edge maps each to one status code. */
    public enum Kind {
        /** The app's settings or a fraud block forbid it (403). */
        NOT_ALLOWED,
        /** The destination cannot or must not receive it on this channel (422). */
        UNDELIVERABLE,
        /** A limit, a lockout or a budget: later it may work (429 with {@code Retry-After}). */
        LIMITED,
        /** Something the decision needs cannot be reached; retry shortly (503). */
        UNAVAILABLE
    }

    /**
     * The IETF {@code RateLimit-Policy} and {@code RateLimit} field values of the tightest limit a request used.
     */
    public record Quota(String policy, String remaining) {}

    public Refusal {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static Refusal notAllowed(String type, String title, String detail) {
        return new Refusal(Kind.NOT_ALLOWED, type, title, detail, null, Map.of(), null);
    }

    public static Refusal undeliverable(String type, String title, String detail) {
        return new Refusal(Kind.UNDELIVERABLE, type, title, detail, null, Map.of(), null);
    }

    public static Refusal limited(String type, String title, String detail, Duration retryAfter) {
        return new Refusal(Kind.LIMITED, type, title, detail, retryAfter, Map.of(), null);
    }

    public static Refusal unavailable(String type, String title, String detail, Duration retryAfter) {
        return new Refusal(Kind.UNAVAILABLE, type, title, detail, retryAfter, Map.of(), null);
    }

    /** This refusal with one more detail member. */
    public Refusal with(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(details);
        more.put(name, value);
        return new Refusal(kind, type, title, detail, retryAfter, more, quota);
    }

    public Refusal withRetryAfter(Duration wait) {
        return new Refusal(kind, type, title, detail, wait, details, quota);
    }

    public Refusal withQuota(Quota used) {
        return new Refusal(kind, type, title, detail, retryAfter, details, used);
    }
}
