package dev.otpgate.delivery.engine;

import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What the unauthenticated receipts endpoint keeps about its callers, so that nobody can flood the log or replay
 * a captured receipt:
 * <ul>
 * <li>Refused receipts are logged at most once per provider and minute: the first with its reason, the rest
 * rolled up into the next line as a count. Every refusal is counted in
 * {@code otpgate.delivery.receipts.refused{provider}}.
 * <li>An accepted receipt is remembered (a SHA-256 of provider, URL and body, never the body) for its scheme's
 * replay window; the same receipt again is answered like the first and changes nothing, counted in
 * {@code otpgate.delivery.receipts.replayed{provider}}. At most {@value #MAX_REMEMBERED} are remembered, oldest
 * dropped first.
 * </ul>
 * Both are per node: a replay sent to another node of a cluster is caught by that node's own memory only, and
 * otherwise changes nothing anyway, since a step's status only moves forward.
 */
@Component
class ReceiptGuard {

    static final int MAX_REMEMBERED = 100_000;
    private static final Duration LOG_INTERVAL = Duration.ofMinutes(1);
    private static final Logger log = LoggerFactory.getLogger(ReceiptGuard.class);

    private final Clock clock;
    private final MeterRegistry meters;
    private final Map<String, Refusals> refusals = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, Instant> accepted = new LinkedHashMap<>();

    private static final class Refusals {
        Instant lastLogged;
        final AtomicLong unlogged = new AtomicLong();
    }

    private final AuditTrail audit;

    ReceiptGuard(Clock clock, MeterRegistry meters, AuditTrail audit) {
        this.clock = clock;
        this.meters = meters;
        this.audit = audit;
    }

    /** Counts a refused receipt and logs it, unless a line for this provider went out within the minute. */
    void refused(String providerId, String reason) {
        meters.counter("otpgate.delivery.receipts.refused", "provider", providerId).increment();
        audit.rollUp(AuditEntry.failure("delivery.receipt_refused", null, providerId));
        Refusals state = refusals.computeIfAbsent(providerId, id -> new Refusals());
        Instant now = clock.instant();
        long more;
        synchronized (state) {
            if (state.lastLogged != null && now.isBefore(state.lastLogged.plus(LOG_INTERVAL))) {
                state.unlogged.incrementAndGet();
                return;
            }
            state.lastLogged = now;
            more = state.unlogged.getAndSet(0);
        }
        if (more == 0) {
            log.warn("Refused a receipt for provider {}: {}", providerId, reason);
        } else {
            log.warn("Refused a receipt for provider {}: {} ({} more refused since the last line)", providerId, reason, more);
        }
    }

    /**
     * Remembers an accepted receipt for {@code window}; false when the same receipt was accepted within it
     * already, and then it must change nothing.
     */
    boolean firstTime(String providerId, String url, byte[] body, Duration window) {
        String key = digest(providerId, url, body);
        Instant now = clock.instant();
        synchronized (accepted) {
            Instant until = accepted.get(key);
            if (until != null && now.isBefore(until)) {
                meters.counter("otpgate.delivery.receipts.replayed", "provider", providerId).increment();
                return false;
            }
            accepted.remove(key);
            accepted.put(key, now.plus(window));
            for (Iterator<Instant> it = accepted.values().iterator();
                    it.hasNext() && (accepted.size() > MAX_REMEMBERED); ) {
                it.next();
                it.remove();
            }
            return true;
        }
    }

    private static String digest(String providerId, String url, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(providerId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(url.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
