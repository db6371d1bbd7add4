package dev.otpgate.audit;

import dev.otpgate.platform.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /v1/audit-events}: reading the trail (scope {@code audit:read}: an app's key sees its app's rows only,
 * S-28; an admin key sees all), and, for admin keys only, the online check, the export and the public key for the
 * offline check.
 */
@RestController
@RequestMapping(path = "/v1/audit-events", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Audit", description = "The tamper-evident audit trail")
class AuditController {

    static final MediaType JSON_LINES = MediaType.parseMediaType("application/jsonl");

    private final AuditRepository repository;
    private final AuditVerifier verifier;
    private final JsonMapper json;

    AuditController(AuditRepository repository, AuditVerifier verifier, JsonMapper json) {
        this.repository = repository;
        this.verifier = verifier;
        this.json = json;
    }

    @GetMapping
    @Operation(summary = "Audit rows, newest first, with filters and a cursor")
    Map<String, Object> list(HttpServletRequest request,
            @RequestParam(name = "app_id", required = false) String appId,
            @RequestParam(name = "action", required = false) String action,
            @RequestParam(name = "actor", required = false) String actor,
            @RequestParam(name = "from", required = false) String from,
            @RequestParam(name = "to", required = false) String to,
            @RequestParam(name = "cursor", required = false) String cursor,
            @RequestParam(name = "limit", defaultValue = "100") int limit) {
        if (limit < 1 || limit > 500) {
            throw ApiProblem.invalid("limit", "must be 1–500");
        }
        // Fail closed: a caller that is not an admin reads only the app it is bound to, and nothing without one.
        String callerApp = isAdmin() ? null : AuditContext.appOf(request);
        if (!isAdmin() && callerApp == null) {
            throw forbidden();
        }
        List<Map<String, Object>> events = new ArrayList<>();
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("events", events);
        if (callerApp != null && appId != null && !appId.equals(callerApp)) {
            // Another app's rows do not exist for this key (S-28).
            return page;
        }
        AuditRepository.Filter filter = new AuditRepository.Filter(callerApp != null ? callerApp : appId,
                action, actor, instant("from", from), instant("to", to));
        List<AuditRow> rows = repository.page(filter, cursor(cursor), limit + 1);
        rows.stream().limit(limit).forEach(row -> events.add(view(row)));
        if (rows.size() > limit) {
            page.put("next_cursor", Long.toString(rows.get(limit - 1).sequence()));
        }
        return page;
    }

    @GetMapping("/verify")
    @Operation(summary = "Verify the whole chain: every row's HMAC, links, signed checkpoints and the tail (admin)")
    VerificationReport verify() {
        requireAdmin();
        return verifier.verify();
    }

    @GetMapping(path = "/export", produces = "application/jsonl")
    @Operation(summary = "Every kept row and checkpoint as JSON Lines, for the offline check and archives (admin)")
    void export(jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
        requireAdmin();
        // Written on the request's own thread (no async dispatch, which would run without the caller's security
        // context), streamed row by row without holding the trail in memory.
        response.setContentType(JSON_LINES + ";charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"otpgate-audit.jsonl\"");
        verifier.export(new java.io.BufferedWriter(new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8)));
    }

    @GetMapping("/public-key")
    @Operation(summary = "The checkpoint signing key's public half (Tink JSON key set), for the offline check (admin)")
    ResponseEntity<String> publicKey() {
        requireAdmin();
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(verifier.publicKeySet());
    }

    private Map<String, Object> view(AuditRow row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sequence", row.sequence());
        view.put("time", CanonicalForm.time(row.occurredAt()));
        view.put("actor", row.actor());
        view.put("app_id", row.appId());
        view.put("action", row.action());
        view.put("target_id", row.targetId());
        view.put("outcome", row.outcome());
        view.put("client_address", row.clientAddress());
        view.put("details", json.readTree(row.details()));
        view.put("prev_hash", row.prevHash());
        view.put("hash", row.hash());
        return view;
    }

    private static void requireAdmin() {
        if (!isAdmin()) {
            throw forbidden();
        }
    }

    private static boolean isAdmin() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.getAuthorities().stream()
                .anyMatch(authority -> "SCOPE_admin".equals(authority.getAuthority()));
    }

    private static ApiProblem forbidden() {
        return new ApiProblem(org.springframework.http.HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
                "this key lacks the scope for this operation");
    }

    private static Instant instant(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalid(field, "must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z");
        }
    }

    private static Long cursor(String value) {
        if (value == null) {
            return null;
        }
        if (!value.matches("[0-9]{1,18}")) {
            throw ApiProblem.invalid("cursor", "is not a cursor this endpoint returned");
        }
        return Long.parseLong(value);
    }
}
