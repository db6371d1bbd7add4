package dev.otpgate.totp;

import dev.otpgate.access.Caller;
import dev.otpgate.platform.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/totp-factors}: authenticator apps of the caller's app. */
@RestController
@RequestMapping(path = "/v1/totp-factors", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "TOTP factors", description = "Authenticator apps (RFC 6238)")
class TotpController {

    private final TotpService service;

    TotpController(TotpService service) {
        this.service = service;
    }

    record EnrollRequest(
            @Schema(description = "the app's reference for its user", example = "user-4711") String account,
            @Schema(description = "default: the app's brand", example = "Acme") String issuer,
            @Schema(allowableValues = {"SHA1", "SHA256", "SHA512"}, example = "SHA1") String algorithm,
            @Schema(allowableValues = {"6", "8"}, example = "6") Integer digits,
            @Schema(allowableValues = {"30", "60"}, example = "30") Integer period) {}

    record CodeRequest(@Schema(example = "123456") String code) {

        @Override
        public String toString() {
            return "CodeRequest[code hidden]";
        }
    }

    record RecoverRequest(@Schema(example = "abcd-efgh-ijkm-npqr") String recoveryCode) {

        @Override
        public String toString() {
            return "RecoverRequest[hidden]";
        }
    }

    record FactorView(String id, String account, String issuer, String algorithm, int digits, int period,
            String status, Instant createdAt, Instant activatedAt, Instant expiresAt) {

        static FactorView of(TotpFactor f) {
            return new FactorView(f.id(), f.account(), f.issuer(), f.algorithm().name(), f.digits(), f.periodSeconds(),
                    f.status().value(), f.createdAt(), f.activatedAt(), f.expiresAt());
        }
    }

    /** The enrollment answer: the only response that ever carries the seed (S-21). */
    record EnrolledView(@Schema(description = "the factor") FactorView factor,
            @Schema(description = "base32 seed, no padding; shown once") String secret,
            @Schema(description = "otpauth:// Key URI; shown once") String uri,
            @Schema(description = "QR code of the URI, PNG, base64; shown once") String qrPng) {

        @Override
        public String toString() {
            return "EnrolledView[" + factor.id() + "]";
        }
    }

    record ActivatedView(FactorView factor, @Schema(description = "10 single-use codes; shown once") List<String> recoveryCodes) {

        @Override
        public String toString() {
            return "ActivatedView[" + factor.id() + "]";
        }
    }

    record ApprovalView(String status, String factorId, Integer recoveryCodesRemaining) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Enroll an authenticator app; the secret, URI and QR code are in this response only")
    ResponseEntity<EnrolledView> enroll(@AuthenticationPrincipal Caller caller, @RequestBody EnrollRequest request) {
        TotpService.Enrolled enrolled = service.enroll(caller.appId(), request.account(), request.issuer(),
                request.algorithm(), request.digits(), request.period());
        return ResponseEntity.created(URI.create("/v1/totp-factors/" + enrolled.factor().id()))
                .body(new EnrolledView(FactorView.of(enrolled.factor()), enrolled.secret(), enrolled.uri(),
                        Base64.getEncoder().encodeToString(enrolled.qrPng())));
    }

    @PostMapping(path = "/{id}/activate", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Activate with the first code; returns the recovery codes, once")
    ActivatedView activate(@AuthenticationPrincipal Caller caller, @PathVariable String id, @RequestBody CodeRequest request) {
        TotpService.Activated activated = service.activate(caller.appId(), id, request.code());
        return new ActivatedView(FactorView.of(activated.factor()), activated.recoveryCodes());
    }

    @PostMapping(path = "/{id}/check", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Check a code", description = "200 approved; 422 incorrect-code; 409 code-replayed; "
            + "429 factor-locked with Retry-After; 404 unknown")
    ApprovalView check(@AuthenticationPrincipal Caller caller, @PathVariable String id, @RequestBody CodeRequest request) {
        return new ApprovalView("approved", service.check(caller.appId(), id, request.code()).id(), null);
    }

    @PostMapping(path = "/{id}/recover", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Approve once with a recovery code, which is then used up")
    ApprovalView recover(@AuthenticationPrincipal Caller caller, @PathVariable String id, @RequestBody RecoverRequest request) {
        TotpFactor factor = service.recover(caller.appId(), id, request.recoveryCode());
        return new ApprovalView("approved", factor.id(), service.unusedRecoveryCodes(factor.id()));
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read a factor (never its secret)")
    FactorView get(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        return FactorView.of(service.get(caller.appId(), id));
    }

    @GetMapping
    @Operation(summary = "Refused: an account is personal data and never goes in a URL; POST /v1/totp-factors/search")
    Map<String, List<FactorView>> list(@RequestParam(required = false) String account) {
        if (account == null) {
            throw ApiProblem.invalid("account", "is required: POST /v1/totp-factors/search {\"account\": …}");
        }
        throw ApiProblem.personalDataInUrl("account", "POST /v1/totp-factors/search {\"account\": …}");
    }

    record SearchRequest(String account) {

        @Override
        public String toString() {
            return "SearchRequest[hidden]";
        }
    }

    @PostMapping(path = "/search", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "List an account's factors (the account in the body, S-50)")
    Map<String, List<FactorView>> search(@AuthenticationPrincipal Caller caller, @RequestBody SearchRequest request) {
        return Map.of("totp_factors", service.list(caller.appId(), request.account()).stream().map(FactorView::of).toList());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Revoke a factor with immediate effect")
    void revoke(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        service.revoke(caller.appId(), id);
    }
}
