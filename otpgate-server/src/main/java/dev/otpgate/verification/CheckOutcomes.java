package dev.otpgate.verification;

import dev.otpgate.verification.CheckService.CheckResult;
import dev.otpgate.verification.VerificationEvents.VerificationApproved;
import dev.otpgate.verification.VerificationEvents.VerificationFailed;
import java.time.Instant;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What a check writes once the code is compared, and what it answers for a verification that is no longer
 * pending. The approval and the guess that fails a verification each commit with their event, since listeners
 * may write in the same transaction (the webhook outbox); a wrong guess that leaves an attempt is one statement
 * that commits by itself, since it changes one counter and publishes nothing.
 */
@Component
class CheckOutcomes {

    private final VerificationRepository verifications;
    private final Expiry expiry;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;

    CheckOutcomes(VerificationRepository verifications, Expiry expiry, ApplicationEventPublisher events,
            TransactionTemplate transactions) {
        this.verifications = verifications;
        this.expiry = expiry;
        this.events = events;
        this.transactions = transactions;
    }

    /**
     * Approves the verification {@code material} was read or copied from, if the row still holds it; the approved
     * row, or empty when a parallel check, a resend, a cancel, the last attempt or expiry came first.
     */
    Optional<Verification> approve(CheckCache.Material material, Instant now) {
        Optional<Verification> approved = transactions.execute(status -> {
            Optional<Verification> row = verifications.approve(material, now);
            row.ifPresent(v -> events.publishEvent(new VerificationApproved(v.id(), v.appId(), v.channel(),
                    v.destinationCountry(), v.destinationPrefix(), now)));
            return row;
        });
        return approved == null ? Optional.empty() : approved;
    }

    /**
     * Counts a wrong guess against the copied {@code material} when it leaves at least one attempt, outside any
     * transaction; the attempts left, or empty when the row is not as copied or this guess is the last one (which
     * {@link #recordWrongGuess} then counts, with its event).
     */
    Optional<Integer> countGuess(CheckCache.Material material, Instant now) {
        return verifications.countCachedGuess(material, now);
    }

    /**
     * Counts a wrong guess; the one that fails the verification commits together with its event. The row as the
     * guess left it, or empty when it was not counted (closed meanwhile).
     */
    Optional<Verification> recordWrongGuess(Verification verification, Instant now) {
        Optional<Verification> counted = transactions.execute(status -> {
            Optional<Verification> row = verifications.recordWrongGuess(verification.id(), now);
            row.filter(left -> left.status() == VerificationStatus.FAILED).ifPresent(failed -> events.publishEvent(
                    new VerificationFailed(failed.id(), failed.appId(), failed.channel(), "max-attempts", now)));
            return row;
        });
        return counted == null ? Optional.empty() : counted;
    }

    /** {@code null} for a pending, unexpired verification; otherwise what a check of it answers (S-12, S-15). */
    CheckResult closed(Verification verification, Instant now) {
        Verification current = expiry.expireIfDue(verification, now);
        if (current.status() == VerificationStatus.PENDING) {
            return null;
        }
        if (current.status() == VerificationStatus.FAILED && "max-attempts".equals(current.failureReason())) {
            return new CheckResult.TooManyAttempts();
        }
        return new CheckResult.NotPending(current.status());
    }

    Verification reload(Verification verification) {
        return expiry.reload(verification);
    }
}
