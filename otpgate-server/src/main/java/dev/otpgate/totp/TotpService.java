package dev.otpgate.totp;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.Ids;
import dev.otpgate.platform.KeyRing;
import dev.otpgate.totp.TotpEvents.CodeReplayed;
import dev.otpgate.totp.TotpEvents.FactorActivated;
import dev.otpgate.totp.TotpEvents.FactorEnrolled;
import dev.otpgate.totp.TotpEvents.FactorLocked;
import dev.otpgate.totp.TotpEvents.FactorRevoked;
import dev.otpgate.totp.TotpEvents.RecoveryCodeUsed;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Factors: enroll, activate, check, recover, revoke. The server's clock decides the step (S-20); each step is
 * accepted at most once per factor (S-19); consecutive failures lock the factor for 30 s, doubling up to an
 * hour, and a lock refuses even the right code (S-22).
 */
@Service
class TotpService {

    static final Duration UNVERIFIED_LIFETIME = Duration.ofHours(24);
    static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    static final Duration LONGEST_LOCK = Duration.ofHours(1);
    private static final Pattern SIX_DIGITS = Pattern.compile("[0-9]{6}");
    private static final Pattern EIGHT_DIGITS = Pattern.compile("[0-9]{8}");

    record Enrolled(TotpFactor factor, String secret, String uri, byte[] qrPng) {}

    record Activated(TotpFactor factor, List<String> recoveryCodes) {}

    private final TotpFactorRepository factors;
    private final AppDirectory apps;
    private final KeyRing keys;
    private final RecoveryCodes recoveryCodes;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    TotpService(TotpFactorRepository factors, AppDirectory apps, KeyRing keys, RecoveryCodes recoveryCodes,
            TransactionTemplate transactions, ApplicationEventPublisher events, Clock clock) {
        this.factors = factors;
        this.apps = apps;
        this.keys = keys;
        this.recoveryCodes = recoveryCodes;
        this.transactions = transactions;
        this.events = events;
        this.clock = clock;
    }

    Enrolled enroll(String appId, String account, String issuer, String algorithmName, Integer digits, Integer period) {
        App app = apps.find(appId).orElseThrow(() -> ApiProblem.notFound("app"));
        if (account == null || account.isBlank() || account.length() > 128 || account.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.invalid("account", "must be 1–128 printable characters");
        }
        String theIssuer = issuer == null ? app.brand() : issuer.strip();
        if (theIssuer.isEmpty() || theIssuer.length() > 100 || theIssuer.contains(":")
                || theIssuer.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.invalid("issuer", "must be 1–100 printable characters without ':'");
        }
        OtpAlgorithm algorithm;
        try {
            algorithm = algorithmName == null ? OtpAlgorithm.SHA1 : OtpAlgorithm.valueOf(algorithmName);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalid("algorithm", "must be SHA1, SHA256 or SHA512");
        }
        int theDigits = digits == null ? 6 : digits;
        if (theDigits != 6 && theDigits != 8) {
            throw ApiProblem.invalid("digits", "must be 6 or 8");
        }
        int thePeriod = period == null ? 30 : period;
        if (thePeriod != 30 && thePeriod != 60) {
            throw ApiProblem.invalid("period", "must be 30 or 60");
        }
        String id = Ids.newId("tf");
        byte[] seed = new byte[algorithm.seedBytes()];
        random.nextBytes(seed);
        Instant now = clock.instant();
        TotpFactor factor = new TotpFactor(id, appId, account, theIssuer, algorithm, theDigits, thePeriod,
                keys.encrypt(seed, seedContext(id)), TotpFactor.Status.UNVERIFIED, null, 0, 0, null, now, now, null,
                now.plus(UNVERIFIED_LIFETIME));
        factors.insert(factor);
        events.publishEvent(new FactorEnrolled(id, appId, now));
        String secret = Enrollment.base32(seed);
        Arrays.fill(seed, (byte) 0);
        String uri = Enrollment.uri(theIssuer, account, secret, algorithm, theDigits, thePeriod);
        return new Enrolled(factor, secret, uri, Enrollment.qrPng(uri));
    }

    /** The first correct code activates the factor (S-21) and returns the recovery codes, once. */
    Activated activate(String appId, String id, String code) {
        TotpFactor factor = find(appId, id);
        Instant now = clock.instant();
        if (factor.status() != TotpFactor.Status.UNVERIFIED) {
            throw new ApiProblem(HttpStatus.CONFLICT, "factor-already-active", "Factor already active",
                    "this factor is already active");
        }
        if (!now.isBefore(factor.expiresAt())) {
            throw new ApiProblem(HttpStatus.GONE, "factor-expired", "Factor expired",
                    "this factor was not activated within 24 hours; enroll again");
        }
        long step = verify(factor, code, now);
        List<String> codes = recoveryCodes.generate();
        boolean activated = Boolean.TRUE.equals(transactions.execute(status -> {
            if (!factors.accept(id, TotpFactor.Status.UNVERIFIED, step, now)) {
                return false;
            }
            for (String recovery : codes) {
                factors.insertRecoveryCode(id, recoveryCodes.hash(id, recovery));
            }
            events.publishEvent(new FactorActivated(id, appId, now));
            return true;
        }));
        if (!activated) {
            throw refusedAfterMatch(find(appId, id), step, now);
        }
        return new Activated(find(appId, id), codes);
    }

    /** Approves a correct, unused code for the current step or one within the app's skew. */
    TotpFactor check(String appId, String id, String code) {
        TotpFactor factor = find(appId, id);
        Instant now = clock.instant();
        if (factor.status() != TotpFactor.Status.ACTIVE) {
            throw new ApiProblem(HttpStatus.CONFLICT, "factor-not-active", "Factor not active",
                    "activate this factor with its first code before checking codes");
        }
        long step = verify(factor, code, now);
        if (!factors.accept(id, TotpFactor.Status.ACTIVE, step, now)) {
            throw refusedAfterMatch(find(appId, id), step, now);
        }
        return find(appId, id);
    }

    /** Approves once with a recovery code and burns it (S-41). Lockout applies here too. */
    TotpFactor recover(String appId, String id, String recoveryCode) {
        TotpFactor factor = find(appId, id);
        Instant now = clock.instant();
        if (factor.status() != TotpFactor.Status.ACTIVE) {
            throw new ApiProblem(HttpStatus.CONFLICT, "factor-not-active", "Factor not active", "this factor is not active");
        }
        if (!RecoveryCodes.plausible(recoveryCode)) {
            throw ApiProblem.invalid("recovery_code", "must be a recovery code as issued (16 characters)");
        }
        refuseIfLocked(factor, now);
        if (!factors.useRecoveryCode(id, recoveryCodes.hash(id, recoveryCode), now)) {
            throw failure(factor, now, "the recovery code is incorrect or already used");
        }
        events.publishEvent(new RecoveryCodeUsed(id, appId, now));
        return find(appId, id);
    }

    List<TotpFactor> list(String appId, String account) {
        if (account == null || account.isBlank()) {
            throw ApiProblem.invalid("account", "is required");
        }
        return factors.findByAccount(appId, account);
    }

    TotpFactor get(String appId, String id) {
        return find(appId, id);
    }

    /** Revokes at once (S-23): the factor and its recovery codes are deleted. */
    void revoke(String appId, String id) {
        boolean deleted = Ids.looksLike("tf", id) && Boolean.TRUE.equals(transactions.execute(status -> {
            if (!factors.delete(appId, id)) {
                return false;
            }
            events.publishEvent(new FactorRevoked(id, appId, clock.instant()));
            return true;
        }));
        if (!deleted) {
            throw ApiProblem.notFound("factor");
        }
    }

    int unusedRecoveryCodes(String id) {
        return factors.unusedRecoveryCodes(id);
    }

    int deleteExpiredUnverified() {
        return factors.deleteExpiredUnverified(clock.instant());
    }

    /** Re-encrypts one factor's seed under the data key's current primary key. */
    boolean reencrypt(String id) {
        return factors.seedCiphertext(id).map(ciphertext -> {
            byte[] seed = keys.decrypt(ciphertext, seedContext(id));
            factors.replaceSeed(id, keys.encrypt(seed, seedContext(id)));
            Arrays.fill(seed, (byte) 0);
            return true;
        }).orElse(false);
    }

    List<String> factorIdsAfter(String afterId, int limit) {
        return factors.ids(afterId, limit);
    }

    /**
     * The step whose code equals {@code code}, within the skew window around the server's current step, or a
     * counted failure. Every candidate is computed and compared in constant time, so timing does not tell
     * which step matched.
     */
    private long verify(TotpFactor factor, String code, Instant now) {
        if (code == null || !(factor.digits() == 6 ? SIX_DIGITS : EIGHT_DIGITS).matcher(code).matches()) {
            throw ApiProblem.invalid("code", "must be exactly " + factor.digits() + " ASCII digits");
        }
        refuseIfLocked(factor, now);
        App app = apps.find(factor.appId()).orElseThrow(() -> ApiProblem.notFound("factor"));
        byte[] seed = keys.decrypt(factor.seedCiphertext(), seedContext(factor.id()));
        long current = OneTimePasswords.timeStep(now, factor.period());
        byte[] presented = code.getBytes(StandardCharsets.US_ASCII);
        long matched = Long.MIN_VALUE;
        for (long step = current - app.totpSkewSteps(); step <= current + app.totpSkewSteps(); step++) {
            byte[] expected = OneTimePasswords.hotp(seed, step, factor.digits(), factor.algorithm()).getBytes(StandardCharsets.US_ASCII);
            if (MessageDigest.isEqual(expected, presented)) {
                matched = step;
            }
        }
        Arrays.fill(seed, (byte) 0);
        if (matched == Long.MIN_VALUE) {
            throw failure(factor, now, "the code is incorrect");
        }
        return matched;
    }

    private ApiProblem failure(TotpFactor factor, Instant now, String detail) {
        App app = apps.find(factor.appId()).orElseThrow(() -> ApiProblem.notFound("factor"));
        Instant lockUntil = now.plus(lockDuration(factor.lockLevel()));
        // The failure that locks the factor and its event commit together.
        TotpFactor after = transactions.execute(status -> {
            if (!factors.recordFailure(factor.id(), app.totpMaxFailures(), lockUntil, now)) {
                return null;
            }
            TotpFactor reloaded = find(factor.appId(), factor.id());
            if (reloaded.lockedAt(now) && !factor.lockedAt(now)) {
                events.publishEvent(new FactorLocked(factor.id(), factor.appId(), reloaded.lockedUntil(), now));
            }
            return reloaded;
        });
        if (after == null) {
            return locked(find(factor.appId(), factor.id()), now);
        }
        if (after.lockedAt(now) && !factor.lockedAt(now)) {
            return locked(after, now);
        }
        return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "incorrect-code", "Incorrect code", detail)
                .with("attempts_remaining", Math.max(0, app.totpMaxFailures() - after.failures()));
    }

    /** A code matched but its step was not accepted: replayed (S-19), or the factor locked in between. */
    private ApiProblem refusedAfterMatch(TotpFactor current, long step, Instant now) {
        if (current.lockedAt(now)) {
            return locked(current, now);
        }
        events.publishEvent(new CodeReplayed(current.id(), current.appId(), step, now));
        return new ApiProblem(HttpStatus.CONFLICT, "code-replayed", "Code replayed",
                "this code was already used; wait for the next one");
    }

    private void refuseIfLocked(TotpFactor factor, Instant now) {
        if (factor.lockedAt(now)) {
            throw locked(factor, now);
        }
    }

    private static ApiProblem locked(TotpFactor factor, Instant now) {
        Duration wait = factor.lockedUntil() == null ? FIRST_LOCK : Duration.between(now, factor.lockedUntil());
        return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "factor-locked", "Factor locked",
                "too many failed attempts; try again later").retryAfter(wait);
    }

    /** 30 s for the first lock, doubling with each lock since the last success, at most an hour. */
    static Duration lockDuration(int lockLevel) {
        Duration duration = FIRST_LOCK.multipliedBy(1L << Math.min(lockLevel, 10));
        return duration.compareTo(LONGEST_LOCK) > 0 ? LONGEST_LOCK : duration;
    }

    private TotpFactor find(String appId, String id) {
        if (!Ids.looksLike("tf", id)) {
            throw ApiProblem.notFound("factor");
        }
        return factors.find(appId, id).orElseThrow(() -> ApiProblem.notFound("factor"));
    }

    private static String seedContext(String factorId) {
        return "totp-seed:" + factorId;
    }
}
