package dev.otpgate.verification;

import dev.otpgate.access.Caller;
import dev.otpgate.apps.Channel;
import dev.otpgate.platform.ApiProblem;
import tools.jackson.databind.json.JsonMapper;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import dev.otpgate.apps.DeliverySettings;
import dev.otpgate.delivery.DeliverySteps;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/verifications}. The app is always the caller's (S-28); destinations travel in bodies only (S-50).
 */
@RestController
@RequestMapping(path = "/v1/verifications", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Verifications", description = "One-time codes sent to a phone number or an email address")
class VerificationController {

    private final StartService starts;
    private final CheckService checks;
    private final LifecycleService lifecycle;
    private final CodeIssuer codes;
    private final DeliverySteps deliverySteps;
    private final JsonMapper json;

    VerificationController(StartService starts, CheckService checks, LifecycleService lifecycle, CodeIssuer codes,
            DeliverySteps deliverySteps, JsonMapper json) {
        this.starts = starts;
        this.checks = checks;
        this.lifecycle = lifecycle;
        this.codes = codes;
        this.deliverySteps = deliverySteps;
        this.json = json;
    }

    @Schema(description = "Start a verification")
    record StartRequest(
            @Schema(description = "E.164 phone number or email address", example = "+14155550123") String to,
            @Schema(description = "sms, voice, whatsapp or email as a one-step workflow; default: the app's default workflow",
                    example = "sms") String channel,
            @Schema(description = "1–4 steps tried in order, each with its own code; not with channel")
            List<DeliverySettings.WorkflowStep> workflow,
            @Schema(example = "en") String locale,
            @Schema(description = "Up to 8 entries shown in the message and bound into the code",
                    example = "{\"amount\": \"120.00 EUR\", \"payee\": \"ACME Ltd\"}") Map<String, String> transaction,
            @Schema(description = "Android app hash for the SMS Retriever API (11 characters)", example = "FA+9qCX9VSu")
            String appHash,
            EndUser endUser) {

        /** The start as a command, every field checked for shape (400s name the field). */
        StartService.StartCommand command(Caller caller, String idempotencyKey) {
            EndUser user = endUser == null ? new EndUser(null, null) : endUser;
            return new StartService.StartCommand(caller.appId(), caller.keyId(), to, channel, workflow,
                    RequestValidation.locale(locale), RequestValidation.transaction(transaction),
                    RequestValidation.appHash(appHash), RequestValidation.ip("end_user.ip", user.ip()),
                    RequestValidation.userAgent(user.userAgent()), RequestValidation.idempotencyKey(idempotencyKey));
        }

        @Override
        public String toString() {
            return "StartRequest[" + channel + "]";
        }
    }

    @Schema(description = "Signals about the person, for abuse defences")
    record EndUser(@Schema(example = "203.0.113.7") String ip, @Schema(example = "Mozilla/5.0") String userAgent) {}

    /** @param endUser the person typing the code; its {@code ip} keys the per-IP check limit */
    record CheckRequest(@Schema(example = "123456") String code, EndUser endUser) {

        String endUserIp() {
            return RequestValidation.ip("end_user.ip", endUser == null ? null : endUser.ip());
        }

        @Override
        public String toString() {
            return "CheckRequest[code hidden]";
        }
    }

    record CheckByDestinationRequest(@Schema(example = "+14155550123") String to, @Schema(example = "123456") String code,
            EndUser endUser) {

        String endUserIp() {
            return RequestValidation.ip("end_user.ip", endUser == null ? null : endUser.ip());
        }

        @Override
        public String toString() {
            return "CheckByDestinationRequest[hidden]";
        }
    }

    record ResendRequest(
            @Schema(description = "another allowed channel; default: the same", example = "sms") String channel,
            @Schema(description = "skip to the workflow's next step") Boolean next) {}

    record DeliveryView(String status, String error) {}

    record VerificationView(
            String id,
            @Schema(allowableValues = {"pending", "approved", "canceled", "expired", "failed"}) String status,
            @Schema(description = "masked destination", example = "+1 415 ••• ••23") String to,
            String channel,
            String locale,
            Map<String, String> transaction,
            int attemptsRemaining,
            int sendsRemaining,
            DeliveryView delivery,
            @Schema(description = "the workflow's steps as planned") List<DeliverySettings.WorkflowStep> workflow,
            @Schema(description = "every code sent so far: channel, provider, status, reason") List<DeliverySteps.Step> steps,
            String failureReason,
            Instant createdAt,
            Instant expiresAt,
            Instant approvedAt) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Start a verification and send the code",
            description = "Same Idempotency-Key and body within 24 h: the same verification, no second send; "
                    + "same key with another body: 409.")
    ResponseEntity<VerificationView> start(@AuthenticationPrincipal Caller caller, @RequestBody StartRequest request,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        StartService.StartResult.Started started = switch (starts.start(request.command(caller, idempotencyKey))) {
            case StartService.StartResult.Refused refused -> throw Problems.of(refused.refusal());
            case StartService.StartResult.Started done -> done;
        };
        VerificationView view = view(started.verification());
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.CREATED);
        if (started.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        if (started.quota() != null) {
            response.header("RateLimit-Policy", started.quota().policy()).header("RateLimit", started.quota().remaining());
        }
        return response.location(URI.create("/v1/verifications/" + view.id())).body(view);
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read a verification: state, masked destination, delivery, attempts and sends remaining")
    VerificationView get(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        return view(lifecycle.get(caller.appId(), id).orElseThrow(() -> ApiProblem.notFound("verification")), true);
    }

    @PostMapping(path = "/{id}/check", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Check a code", description = "200 approved; 422 incorrect-code with attempts_remaining; "
            + "410 expired or no longer pending; 429 too many attempts; 404 unknown")
    @ApiResponse(responseCode = "200", description = "approved",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = VerificationView.class)))
    ResponseEntity<?> check(@AuthenticationPrincipal Caller caller, @PathVariable String id, @RequestBody CheckRequest request) {
        return answer(checks.check(caller.appId(), id, RequestValidation.code(request.code()), request.endUserIp()));
    }

    @PostMapping(path = "/check", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Check a code against the app's pending verification for a destination")
    @ApiResponse(responseCode = "200", description = "approved",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = VerificationView.class)))
    ResponseEntity<?> checkByDestination(@AuthenticationPrincipal Caller caller, @RequestBody CheckByDestinationRequest request) {
        String code = RequestValidation.code(request.code());
        return answer(checks.checkByDestination(caller.appId(), request.to(), code, request.endUserIp()));
    }

    @PostMapping("/{id}/resend")
    @Operation(summary = "Send a new code; the old one stops working, failed attempts are kept")
    ResponseEntity<VerificationView> resend(@AuthenticationPrincipal Caller caller, @PathVariable String id,
            @RequestBody(required = false) ResendRequest request) {
        Channel channel = RequestValidation.channel(request == null ? null : request.channel());
        boolean next = request != null && Boolean.TRUE.equals(request.next());
        if (next && channel != null) {
            throw ApiProblem.invalid("channel", "cannot be combined with next");
        }
        return switch (lifecycle.resend(caller.appId(), id, channel, next, caller.keyId())
                .orElseThrow(() -> ApiProblem.notFound("verification"))) {
            case LifecycleService.ResendResult.Resent resent -> ResponseEntity.accepted().body(view(resent.verification()));
            case LifecycleService.ResendResult other -> throw Problems.of(other);
        };
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel a pending verification")
    VerificationView cancel(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        return switch (lifecycle.cancel(caller.appId(), id).orElseThrow(() -> ApiProblem.notFound("verification"))) {
            case LifecycleService.CancelResult.Canceled canceled -> view(canceled.verification());
            case LifecycleService.CancelResult.NotPending notPending ->
                    throw Problems.notPending(notPending.verification(), HttpStatus.CONFLICT);
        };
    }

    /**
     * The check's answer, a refusal included, as a value: a wrong code is the most frequent answer under a
     * guessing attack, and returning its problem spares it Spring MVC's exception resolution.
     */
    private ResponseEntity<?> answer(CheckService.CheckResult result) {
        if (result instanceof CheckService.CheckResult.Approved approved) {
            return ResponseEntity.ok(view(approved.verification()));
        }
        return Problems.of(result).response();
    }

    /** Start, check and the others answer without the step list, to keep their one round trip; GET has it. */
    private VerificationView view(Verification v) {
        return view(v, false);
    }

    private VerificationView view(Verification v, boolean withSteps) {
        boolean pending = v.status() == VerificationStatus.PENDING;
        return new VerificationView(v.id(), v.status().value(), v.destinationMasked(), v.channel(), v.locale(),
                codes.transaction(v), pending ? Math.max(0, v.maxAttempts() - v.attempts()) : 0,
                pending ? Math.max(0, v.maxSends() - v.sendCount()) : 0,
                new DeliveryView(v.deliveryStatus(), v.deliveryError()), Workflow.of(v, json).steps(), withSteps ? steps(v) : null, v.failureReason(),
                v.createdAt(), v.expiresAt(), v.approvedAt());
    }

    /** The recorded steps, and the current one while it waits for a worker. */
    private List<DeliverySteps.Step> steps(Verification v) {
        List<DeliverySteps.Step> recorded = deliverySteps.forVerification(v.id());
        if (recorded.stream().anyMatch(step -> step.step() == v.codeStep()) || v.status() != VerificationStatus.PENDING) {
            return recorded;
        }
        List<DeliverySteps.Step> all = new java.util.ArrayList<>(recorded);
        all.add(new DeliverySteps.Step(v.codeStep(), v.channel(), null, dev.otpgate.delivery.StepStatus.QUEUED, null, null, null, List.of(),
                v.lastSentAt(), null, null));
        return all;
    }
}
