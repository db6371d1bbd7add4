package dev.otpgate.privacy;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/privacy/erasure} and {@code POST /v1/privacy/export}: scope {@code privacy:manage} (an app's
 * own records) or an admin key (every app's). The subject travels in the body, never in the URL (S-50). The
 * caller's app and key id come from the authenticated principal, never from the request (S-28).
 */
@RestController
@RequestMapping(path = "/v1/privacy", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Privacy", description = "Erasure and export of one person's data (privacy:manage or admin scope)")
class PrivacyController {

    private final Privacy privacy;

    PrivacyController(Privacy privacy) {
        this.privacy = privacy;
    }

    @Schema(description = "Exactly one of to (a phone number or email address, any spelling) and account (a TOTP account)")
    record SubjectRequest(String to, String account) {

        @Override
        public String toString() {
            return "SubjectRequest[hidden]";
        }
    }

    @PostMapping(path = "/erasure", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Erase everything kept about a destination or a TOTP account; answers the counts removed")
    Map<String, Object> erase(@AuthenticationPrincipal(expression = "appId()") String appId,
            @RequestBody SubjectRequest request) {
        Privacy.Erased erased = privacy.erase(appId, request.to(), request.account());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("scope", erased.scope());
        out.put("erased", erased.counts());
        return out;
    }

    @Schema(description = "retention_seconds: 3600 up to the instance's window; null goes back to the instance's. "
            + "app_id: only for admin keys, which name the app")
    record RetentionRequest(Long retentionSeconds, String appId) {}

    @GetMapping("/retention")
    @Operation(summary = "The app's retention window (app key: its own app; admin key: ?app_id=)")
    Map<String, Object> retention(@AuthenticationPrincipal(expression = "appId()") String callerApp,
            @RequestParam(name = "app_id", required = false) String appId) {
        return view(privacy.retention(app(callerApp, appId)));
    }

    @PutMapping(path = "/retention", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Shorten the app's retention window below the instance's, or go back to it with null")
    Map<String, Object> setRetention(@AuthenticationPrincipal(expression = "appId()") String callerApp,
            @RequestBody RetentionRequest request) {
        return view(privacy.setRetention(app(callerApp, request.appId()), request.retentionSeconds()));
    }

    /** An app key acts on its own app (an app_id it names must be its own); an admin key must name one. */
    private static String app(String callerApp, String requested) {
        if (callerApp != null) {
            if (requested != null && !requested.equals(callerApp)) {
                throw dev.otpgate.platform.ApiProblem.notFound("app");
            }
            return callerApp;
        }
        if (requested == null || requested.isBlank()) {
            throw dev.otpgate.platform.ApiProblem.invalid("app_id", "is required with an admin key");
        }
        return requested;
    }

    private static Map<String, Object> view(Privacy.Retention retention) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("app_id", retention.appId());
        out.put("retention_seconds", retention.window().toSeconds());
        out.put("source", retention.appOwn() ? "app" : "instance");
        out.put("instance_retention_seconds", retention.instanceWindow().toSeconds());
        return out;
    }

    @PostMapping(path = "/export", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Every record kept about a destination or a TOTP account (schema privacy-export/1)")
    Map<String, Object> export(@AuthenticationPrincipal(expression = "appId()") String appId,
            @RequestBody SubjectRequest request) {
        return privacy.export(appId, request.to(), request.account());
    }
}
