package dev.otpgate.access;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/caller}: who the credential in this request is, for any authenticated caller. A client checks
 * its configuration with it (right key, right app, the scopes it needs) without touching a verification. It
 * answers from the authenticated principal alone, so it reads nothing: on a node whose credential cache holds the
 * key, it runs no statement, which also makes it the web stack's empty endpoint in the benchmarks.
 */
@RestController
@Tag(name = "Caller", description = "The credential of the request itself")
class CallerController {

    /** {@code key_id} is the API key's id, or the OAuth client's for an access token; {@code app_id} is absent for an admin key. */
    record CallerView(String keyId, String appId, List<String> scopes) {}

    @GetMapping(path = "/v1/caller", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The key or OAuth client of this request, its app and its scopes (never a secret)")
    CallerView caller(@AuthenticationPrincipal Caller caller) {
        return new CallerView(caller.keyId(), caller.appId(), caller.scopes().stream().map(Scope::value).sorted().toList());
    }
}
