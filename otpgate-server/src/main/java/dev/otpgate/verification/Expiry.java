package dev.otpgate.verification;

import dev.otpgate.platform.ApiProblem;
import dev.otpgate.verification.VerificationEvents.VerificationExpired;
import java.time.Clock;
import java.time.Instant;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Expiry as every path sees it: a verification read after its code expired is marked {@code expired} then and
 * there (one conditional update, one event), so a check, a resend or a workflow step never acts on it; the
 * sweeper marks the rest.
 */
@Component
class Expiry {

    private final VerificationRepository verifications;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final Clock clock;

    Expiry(VerificationRepository verifications, ApplicationEventPublisher events, TransactionTemplate transactions,
            Clock clock) {
        this.verifications = verifications;
        this.events = events;
        this.transactions = transactions;
        this.clock = clock;
    }

    Verification expireIfDue(Verification verification, Instant now) {
        if (verification.status() != VerificationStatus.PENDING || !verification.expiredAt(now)) {
            return verification;
        }
        // The status and its event commit together (a listener may write in the same transaction).
        transactions.executeWithoutResult(status -> {
            if (verifications.finish(verification.id(), VerificationStatus.EXPIRED, null, now)) {
                events.publishEvent(new VerificationExpired(verification.id(), verification.appId(), verification.channel(), now));
            }
        });
        return reload(verification);
    }

    Verification reload(Verification verification) {
        return verifications.find(verification.id()).orElseThrow(() -> ApiProblem.notFound("verification"));
    }

    /** Marks due verifications expired; returns how many. */
    int expireDue(int limit) {
        Instant now = clock.instant();
        int count = 0;
        for (Verification verification : verifications.findExpiredPending(now, limit)) {
            if (expireIfDue(verification, now).status() == VerificationStatus.EXPIRED) {
                count++;
            }
        }
        return count;
    }
}
