package dev.otpgate.verification;

import dev.otpgate.platform.ApiProblem;
import org.springframework.http.HttpStatus;

/** The web edge's one mapping from refusals and results to RFC 9457 problems: statuses and headers live here. */
final class Problems {

    private Problems() {}

    static ApiProblem of(Refusal refusal) {
        HttpStatus status = switch (refusal.kind()) {
            case NOT_ALLOWED -> HttpStatus.FORBIDDEN;
            case UNDELIVERABLE -> HttpStatus.UNPROCESSABLE_CONTENT;
            case LIMITED -> HttpStatus.TOO_MANY_REQUESTS;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
        ApiProblem problem = new ApiProblem(status, refusal.type(), refusal.title(), refusal.detail());
        refusal.details().forEach(problem::with);
        if (refusal.retryAfter() != null) {
            problem.retryAfter(refusal.retryAfter());
        }
        if (refusal.quota() != null) {
            problem.header("RateLimit-Policy", refusal.quota().policy()).header("RateLimit", refusal.quota().remaining());
        }
        return problem;
    }

    static ApiProblem notPending(Verification verification, HttpStatus status) {
        return notPending(verification.status(), status);
    }

    static ApiProblem notPending(VerificationStatus current, HttpStatus status) {
        if (current == VerificationStatus.EXPIRED) {
            return new ApiProblem(status, "verification-expired", "Verification expired",
                    "this verification has expired; start a new one").with("verification_status", "expired");
        }
        return new ApiProblem(status, "verification-not-pending", "Verification not pending",
                "this verification is " + current.value()).with("verification_status", current.value());
    }

    static ApiProblem of(CheckService.CheckResult result) {
        return switch (result) {
            case CheckService.CheckResult.Incorrect incorrect -> new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT,
                    "incorrect-code", "Incorrect code", incorrect.attemptsRemaining() == 0
                            ? "the code is incorrect and no attempts remain" : "the code is incorrect")
                    .with("attempts_remaining", incorrect.attemptsRemaining());
            case CheckService.CheckResult.TooManyAttempts tooMany -> new ApiProblem(HttpStatus.TOO_MANY_REQUESTS,
                    "too-many-attempts", "Too many attempts", "this verification has no attempts left; start a new one")
                    .with("attempts_remaining", 0);
            case CheckService.CheckResult.NotPending notPending -> notPending(notPending.status(), HttpStatus.GONE);
            case CheckService.CheckResult.NotFound notFound -> ApiProblem.notFound("verification");
            case CheckService.CheckResult.Refused refused -> of(refused.refusal());
            case CheckService.CheckResult.Approved approved ->
                    throw new IllegalArgumentException("an approval is not a problem");
        };
    }

    static ApiProblem of(LifecycleService.ResendResult result) {
        return switch (result) {
            case LifecycleService.ResendResult.Refused refused -> of(refused.refusal());
            case LifecycleService.ResendResult.NotPending notPending -> notPending(notPending.verification(), HttpStatus.CONFLICT);
            case LifecycleService.ResendResult.MaxSends max -> new ApiProblem(HttpStatus.TOO_MANY_REQUESTS,
                    "max-sends-reached", "Too many sends", "this verification has used all " + max.maxSends() + " sends");
            case LifecycleService.ResendResult.Cooldown cooldown -> new ApiProblem(HttpStatus.TOO_MANY_REQUESTS,
                    "resend-cooldown", "Resend too soon", "wait before asking for another code").retryAfter(cooldown.remaining());
            case LifecycleService.ResendResult.NoNextStep none -> new ApiProblem(HttpStatus.CONFLICT, "no-next-step",
                    "No next step", "this verification's workflow has no further step it can use");
            case LifecycleService.ResendResult.Changed changed -> new ApiProblem(HttpStatus.CONFLICT,
                    "verification-changed", "Verification changed",
                    "the verification changed while this request was handled; read it and retry");
            case LifecycleService.ResendResult.Resent resent ->
                    throw new IllegalArgumentException("a resend is not a problem");
        };
    }
}
