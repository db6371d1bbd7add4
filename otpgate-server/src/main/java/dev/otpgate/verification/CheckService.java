package dev.otpgate.verification;

import dev.otpgate.platform.Ids;
import dev.otpgate.privacy.Destinations;
import dev.otpgate.verification.VerificationEvents.VerificationApproved;
import dev.otpgate.verification.VerificationEvents.VerificationFailed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checking a code: one read and one conditional update, right code or wrong (S-10, S-12, S-13); a wrong guess's
 * update answers the attempts left itself. The answer is a
 * {@link CheckResult}, which the web edge maps to 200, 422, 410, 429 or 404. The check guards (per-IP limit,
 * destination lockout) run before the code is compared and learn each outcome.
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
    private final Expiry expiry;
    private final ApplicationEventPublisher events;
    private final MeterRegistry meters;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    CheckService(VerificationRepository verifications, Destinations destinations, CodeHasher hasher,
            List<CheckGuard> guards, Expiry expiry, ApplicationEventPublisher events, MeterRegistry meters,
            TransactionTemplate transactions, Clock clock) {
        this.verifications = verifications;
        this.destinations = destinations;
        this.hasher = hasher;
        this.guards = List.copyOf(guards);
        this.expiry = expiry;
        this.events = events;
        this.meters = meters;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** @param code digits, validated at the edge */
    CheckResult check(String appId, String id, String code, String endUserIp) {
        return timed(() -> {
            if (!Ids.looksLike("vrf", id)) {
                return new CheckResult.NotFound();
            }
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
     * The blind indexes the check limits count under: the stored one, or while an index-key rotation is under way
     * the destination's indexes under every key in play, so that a lockout counted under either holds.
     */
    private List<byte[]> destinationIndexes(Verification verification) {
        if (!destinations.indexRotationUnderWay()) {
            return List.of(verification.destinationIndex());
        }
        return destinations.indexes(destinations.open(verification.destinationCiphertext(), verification.appId()));
    }

    private CheckResult checkRow(Verification verification, String code, String endUserIp) {
        Instant now = clock.instant();
        CheckResult closed = unlessPending(verification, now);
        if (closed != null) {
            return closed;
        }
        CheckGuard.CheckAttempt attempt = new CheckGuard.CheckAttempt(verification.appId(), verification.id(),
                destinationIndexes(verification), endUserIp);
        for (CheckGuard guard : guards) {
            Refusal refused = guard.before(attempt);
            if (refused != null) {
                return new CheckResult.Refused(refused);
            }
        }
        boolean right = verification.testDestination()
                ? hasher.matchesTestCode(verification.codeHash(), verification.appId(), code)
                : hasher.matches(verification.codeHash(), verification.id(), verification.codeStep(), code,
                        verification.transactionJson());
        if (right) {
            // The approval and its event commit together: a listener that writes (the webhook outbox) is in it.
            boolean approved = Boolean.TRUE.equals(transactions.execute(status -> {
                if (!verifications.approve(verification.id(), verification.codeStep(), now)) {
                    return false;
                }
                events.publishEvent(new VerificationApproved(verification.id(), verification.appId(),
                        verification.channel(), verification.destinationCountry(), verification.destinationPrefix(), now));
                return true;
            }));
            if (approved) {
                guards.forEach(guard -> guard.after(attempt, true));
                // The conditional update succeeded from the row just read, so its new state is known: no re-read.
                return new CheckResult.Approved(verification.approvedAt(now));
            }
            // Lost a race: approved by a parallel check, expired, or replaced by a resend. Only the last case
            // leaves it pending, and then this code is no longer the valid one.
            closed = unlessPending(expiry.reload(verification), now);
            if (closed != null) {
                return closed;
            }
        }
        return wrongGuess(verification, now, attempt);
    }


    private CheckResult wrongGuess(Verification verification, Instant now, CheckGuard.CheckAttempt attempt) {
        // The counting update answers the row as it left it (no re-read for the attempts left), and the wrong
        // guess that fails the verification commits together with its event.
        Optional<Verification> counted = transactions.execute(status -> {
            Optional<Verification> row = verifications.recordWrongGuess(verification.id(), now);
            row.filter(left -> left.status() == VerificationStatus.FAILED).ifPresent(failed -> events.publishEvent(
                    new VerificationFailed(failed.id(), failed.appId(), failed.channel(), "max-attempts", now)));
            return row;
        });
        if (counted.isEmpty()) {
            // Not counted: closed meanwhile (approved, expired, failed, canceled) or replaced by a resend.
            Verification current = expiry.reload(verification);
            CheckResult closed = unlessPending(current, now);
            if (closed != null) {
                return closed;
            }
            return new CheckResult.Incorrect(Math.max(0, current.maxAttempts() - current.attempts()));
        }
        Verification current = counted.get();
        guards.forEach(guard -> guard.after(attempt, false));
        return new CheckResult.Incorrect(Math.max(0, current.maxAttempts() - current.attempts()));
    }

    /** {@code null} for a pending, unexpired verification; otherwise what a check of it answers (S-12, S-15). */
    private CheckResult unlessPending(Verification verification, Instant now) {
        Verification current = expiry.expireIfDue(verification, now);
        if (current.status() == VerificationStatus.PENDING) {
            return null;
        }
        if (current.status() == VerificationStatus.FAILED && "max-attempts".equals(current.failureReason())) {
            return new CheckResult.TooManyAttempts();
        }
        return new CheckResult.NotPending(current.status());
    }
}
