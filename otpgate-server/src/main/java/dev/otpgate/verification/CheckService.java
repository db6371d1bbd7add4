package dev.otpgate.verification;

import dev.otpgate.platform.Ids;
import dev.otpgate.privacy.Destinations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.stereotype.Service;

/**
 * Checking a code (S-10, S-12, S-13). A check of a verification this node started or last gave a code compares the
 * code with the node's copy ({@link CheckCache}) and sends one conditional update that answers the row it left:
 * the approval (with its event, in a transaction), or the wrong guess, which commits by itself. Only when that
 * update changes nothing (the copy is stale, or the guess is the last one) is the row read, and the check decided
 * from it. A check on another node, or by destination, reads the row and then sends the update. The answer is a
 * {@link CheckResult}, which the web edge maps to 200, 422, 410, 429 or 404. The check guards (per-IP limit,
 * destination lockout) run once per check, before the code is compared, and learn each outcome.
 */
@Service
class CheckService {

    /** How a check ended. */
    sealed interface CheckResult {

        String outcome();

        record Approved(Verification verification) implements CheckResult {
            public String outcome() {
                return "approved";
            }
        }

        /** @param attemptsRemaining guesses left; 0 means this guess failed the verification */
        record Incorrect(int attemptsRemaining) implements CheckResult {
            public String outcome() {
                return "incorrect-code";
            }
        }

        /** The verification failed by too many wrong guesses (S-12). */
        record TooManyAttempts() implements CheckResult {
            public String outcome() {
                return "too-many-attempts";
            }
        }

        /** Expired, approved, canceled or failed otherwise: nothing to check any more (S-15). */
        record NotPending(VerificationStatus status) implements CheckResult {
            public String outcome() {
                return status == VerificationStatus.EXPIRED ? "verification-expired" : "verification-not-pending";
            }
        }

        /** No such verification for this app; another app's id answers the same (S-14). */
        record NotFound() implements CheckResult {
            public String outcome() {
                return "not-found";
            }
        }

        /** A check guard refused before the code was compared. */
        record Refused(Refusal refusal) implements CheckResult {
            public String outcome() {
                return refusal.type();
            }
        }
    }

    private final VerificationRepository verifications;
    private final Destinations destinations;
    private final CodeHasher hasher;
    private final List<CheckGuard> guards;
    private final CheckOutcomes outcomes;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Counter cacheHits;
    private final Counter cacheStale;
    private final Counter cacheMisses;

    CheckService(VerificationRepository verifications, Destinations destinations, CodeHasher hasher,
            List<CheckGuard> guards, CheckOutcomes outcomes, MeterRegistry meters, Clock clock) {
        this.verifications = verifications;
        this.destinations = destinations;
        this.hasher = hasher;
        this.guards = List.copyOf(guards);
        this.outcomes = outcomes;
        this.meters = meters;
        this.clock = clock;
        this.cacheHits = meters.counter("otpgate.verification.check.cache", "result", "hit");
        this.cacheStale = meters.counter("otpgate.verification.check.cache", "result", "stale");
        this.cacheMisses = meters.counter("otpgate.verification.check.cache", "result", "miss");
    }

    /** @param code digits, validated at the edge */
    CheckResult check(String appId, String id, String code, String endUserIp) {
        return timed(() -> {
            if (!Ids.looksLike("vrf", id)) {
                return new CheckResult.NotFound();
            }
            Instant now = clock.instant();
            Optional<CheckCache.Material> cached = verifications.cached(appId, id, now);
            if (cached.isPresent()) {
                return checkCopy(cached.get(), code, endUserIp, now);
            }
            cacheMisses.increment();
            return verifications.find(appId, id).map(v -> checkRow(v, code, endUserIp))
                    .orElseGet(CheckResult.NotFound::new);
        });
    }

    /** Checks the app's newest pending verification for {@code to}; none answers like an unknown id (S-14). */
    CheckResult checkByDestination(String appId, String to, String code, String endUserIp) {
        return timed(() -> verifications.findPendingByDestination(appId, destinations.indexes(destinations.parse(to)))
                .map(v -> checkRow(v, code, endUserIp))
                .orElseGet(CheckResult.NotFound::new));
    }

    /** The check-latency timer, labelled by outcome ({@code approved} or the problem type). */
    private CheckResult timed(Supplier<CheckResult> check) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
            CheckResult result = check.get();
            outcome = result.outcome();
            return result;
        } finally {
            sample.stop(timers.computeIfAbsent(outcome, o -> meters.timer("otpgate.verification.check", "outcome", o)));
        }
    }

    /**
     * A check against this node's copy: one statement when the row is still as copied. The copy says nothing final:
     * whether the verification is closed, expired or out of attempts, only the row says.
     */
    private CheckResult checkCopy(CheckCache.Material copy, String code, String endUserIp, Instant now) {
        CheckGuard.CheckAttempt attempt = attempt(copy, endUserIp);
        Refusal refused = guardsBefore(attempt);
        if (refused != null) {
            cacheHits.increment();
            return new CheckResult.Refused(refused);
        }
        if (matches(copy, code)) {
            Optional<Verification> approved = outcomes.approve(copy, now);
            if (approved.isPresent()) {
                cacheHits.increment();
                guards.forEach(guard -> guard.after(attempt, true));
                return new CheckResult.Approved(approved.get());
            }
        } else {
            Optional<Integer> left = outcomes.countGuess(copy, now);
            if (left.isPresent()) {
                cacheHits.increment();
                guards.forEach(guard -> guard.after(attempt, false));
                return new CheckResult.Incorrect(Math.max(0, left.get()));
            }
        }
        // The row is not as copied (a resend, guesses or a cancel on another node, approved or expired meanwhile) or
        // this guess is its last attempt: the row decides, as on a node that never held a copy. The guards ran.
        cacheStale.increment();
        verifications.forgetCached(copy);
        return verifications.find(copy.appId(), copy.id()).map(row -> decide(row, code, attempt, now))
                .orElseGet(CheckResult.NotFound::new);
    }

    private CheckResult checkRow(Verification verification, String code, String endUserIp) {
        Instant now = clock.instant();
        CheckResult closed = outcomes.closed(verification, now);
        if (closed != null) {
            return closed;
        }
        CheckGuard.CheckAttempt attempt = attempt(CheckCache.Material.of(verification), endUserIp);
        Refusal refused = guardsBefore(attempt);
        if (refused != null) {
            return new CheckResult.Refused(refused);
        }
        return compare(verification, code, attempt, now);
    }

    /** The check of a row read after its guards ran. */
    private CheckResult decide(Verification verification, String code, CheckGuard.CheckAttempt attempt, Instant now) {
        CheckResult closed = outcomes.closed(verification, now);
        return closed != null ? closed : compare(verification, code, attempt, now);
    }

    private CheckResult compare(Verification verification, String code, CheckGuard.CheckAttempt attempt, Instant now) {
        CheckCache.Material material = CheckCache.Material.of(verification);
        if (matches(material, code)) {
            Optional<Verification> approved = outcomes.approve(material, now);
            if (approved.isPresent()) {
                guards.forEach(guard -> guard.after(attempt, true));
                return new CheckResult.Approved(approved.get());
            }
            // Lost a race: approved by a parallel check, expired, or replaced by a resend. Only the last case
            // leaves it pending, and then this code is no longer the valid one.
            CheckResult closed = outcomes.closed(outcomes.reload(verification), now);
            if (closed != null) {
                return closed;
            }
        }
        return wrongGuess(verification, now, attempt);
    }

    private CheckResult wrongGuess(Verification verification, Instant now, CheckGuard.CheckAttempt attempt) {
        // The counting update answers the row as it left it (no re-read for the attempts left).
        Optional<Verification> counted = outcomes.recordWrongGuess(verification, now);
        if (counted.isEmpty()) {
            // Not counted: closed meanwhile (approved, expired, failed, canceled).
            Verification current = outcomes.reload(verification);
            CheckResult closed = outcomes.closed(current, now);
            if (closed != null) {
                return closed;
            }
            return new CheckResult.Incorrect(Math.max(0, current.maxAttempts() - current.attempts()));
        }
        Verification current = counted.get();
        guards.forEach(guard -> guard.after(attempt, false));
        return new CheckResult.Incorrect(Math.max(0, current.maxAttempts() - current.attempts()));
    }

    private Refusal guardsBefore(CheckGuard.CheckAttempt attempt) {
        for (CheckGuard guard : guards) {
            Refusal refused = guard.before(attempt);
            if (refused != null) {
                return refused;
            }
        }
        return null;
    }

    /** Constant-time comparison with the stored tag (S-13), which binds the id, step and transaction (S-11). */
    private boolean matches(CheckCache.Material material, String code) {
        return material.testDestination()
                ? hasher.matchesTestCode(material.codeHash(), material.appId(), code)
                : hasher.matches(material.codeHash(), material.id(), material.codeStep(), code, material.transactionJson());
    }

    private CheckGuard.CheckAttempt attempt(CheckCache.Material material, String endUserIp) {
        return new CheckGuard.CheckAttempt(material.appId(), material.id(), destinationIndexes(material), endUserIp);
    }

    /**
     * The blind indexes the check limits count under: the stored one, or while an index-key rotation is under way
     * the destination's indexes under every key in play, so that a lockout counted under either holds.
     */
    private List<byte[]> destinationIndexes(CheckCache.Material material) {
        if (!destinations.indexRotationUnderWay()) {
            return List.of(material.destinationIndex());
        }
        return destinations.indexes(destinations.open(material.destinationCiphertext(), material.appId()));
    }
}
