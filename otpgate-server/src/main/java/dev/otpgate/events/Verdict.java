package dev.otpgate.events;

import java.time.Duration;

/** What one attempt's reply means for its delivery (Standard Webhooks' rules, plus 410 and Retry-After). */
sealed interface Verdict {

    /** 2xx. */
    record Succeeded(int status) implements Verdict {}

    /** Anything else: 3xx (redirects are not followed), 4xx, 5xx, no answer, a refused address. */
    record Failed(Integer status, String error, Duration retryAfter) implements Verdict {}

    /** 410: the receiver says the endpoint is gone; it is disabled. */
    record Gone() implements Verdict {}

    static Verdict of(PinnedHttps.Reply reply) {
        return switch (reply) {
            case PinnedHttps.NoAnswer none -> new Failed(null, none.error(), null);
            case PinnedHttps.Answered answered when answered.status() >= 200 && answered.status() < 300 ->
                    new Succeeded(answered.status());
            case PinnedHttps.Answered answered when answered.status() == 410 -> new Gone();
            case PinnedHttps.Answered answered -> new Failed(answered.status(),
                    answered.status() >= 300 && answered.status() < 400 ? "redirect" : "status",
                    honoursRetryAfter(answered.status()) ? answered.retryAfter() : null);
        };
    }

    private static boolean honoursRetryAfter(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }
}
