package dev.otpgate.events;

import dev.otpgate.access.Caller;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.platform.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/apps/{app_id}/webhooks}: an app key with {@code webhooks:manage} manages its own app's endpoints
 * (another app's answer 404, S-28); an admin key every app's. The secret is in the answer to the creation and
 * to a rotation only.
 */
@RestController
@RequestMapping(path = "/v1/apps/{app_id}/webhooks", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Webhooks", description = "Signed events sent to your endpoints (Standard Webhooks v1)")
class WebhookController {

    private final EndpointService service;
    private final EndpointTraffic traffic;
    private final AppDirectory apps;

    WebhookController(EndpointService service, EndpointTraffic traffic, AppDirectory apps) {
        this.service = service;
        this.traffic = traffic;
        this.apps = apps;
    }

    record CreateRequest(String url, List<String> events, String description) {}

    record ChangeRequest(String url, List<String> events, Boolean enabled, String description) {}

    record ReplayRequest(Instant since, Instant until) {}

    record EndpointView(String id, String appId, String url, String description, List<String> events, boolean enabled,
            String disabledReason, Instant failingSince, Instant previousSecretExpiresAt, Instant createdAt,
            Instant updatedAt, String secret) {

        static EndpointView of(WebhookEndpoint endpoint, String secret) {
            Instant previous = endpoint.previousExpiresAt() != null && endpoint.previousSecret() != null
                    ? endpoint.previousExpiresAt() : null;
            return new EndpointView(endpoint.id(), endpoint.appId(), endpoint.url(), endpoint.description(),
                    endpoint.events().patterns(), endpoint.enabled(), endpoint.disabledReason(), endpoint.failingSince(),
                    previous, endpoint.createdAt(), endpoint.updatedAt(), secret);
        }
    }

    record EndpointList(List<EndpointView> webhooks) {}

    record RotatedView(String secret, Instant previousSecretExpiresAt) {}

    record TestView(String messageId) {}

    record ReplayView(int queued) {}

    record AttemptView(String messageId, String eventType, String deliveryId, int attempt, String outcome,
            Integer responseCode, long latencyMs, String error, Instant attemptedAt) {}

    record AttemptList(List<AttemptView> deliveries) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Register an endpoint; the answer holds its signing secret, shown once")
    ResponseEntity<EndpointView> create(@AuthenticationPrincipal Caller caller, @PathVariable("app_id") String appId,
            @RequestBody CreateRequest request) {
        String app = app(caller, appId);
        if (request.url() == null) {
            throw ApiProblem.invalid("url", "required");
        }
        EventFilter events = filter(request.events());
        String description = description(request.description());
        return switch (service.create(app, request.url(), events, description)) {
            case EndpointService.Created created -> ResponseEntity
                    .created(URI.create("/v1/apps/" + app + "/webhooks/" + created.endpoint().id()))
                    .body(EndpointView.of(created.endpoint(), created.secret()));
            case EndpointService.Refused refused -> throw refusedUrl(refused.reason());
            case EndpointService.Changed changed -> throw new IllegalStateException("a creation changes nothing");
        };
    }

    @GetMapping
    @Operation(summary = "List the app's endpoints")
    EndpointList list(@AuthenticationPrincipal Caller caller, @PathVariable("app_id") String appId) {
        return new EndpointList(service.list(app(caller, appId)).stream().map(endpoint -> EndpointView.of(endpoint, null)).toList());
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read an endpoint")
    EndpointView get(@AuthenticationPrincipal Caller caller, @PathVariable("app_id") String appId, @PathVariable String id) {
        return EndpointView.of(endpoint(caller, appId, id), null);
    }

    @PatchMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Change an endpoint's url, events, description, or switch it on or off")
    EndpointView change(@AuthenticationPrincipal Caller caller, @PathVariable("app_id") String appId, @PathVariable String id,
            @RequestBody ChangeRequest request) {
        WebhookEndpoint endpoint = endpoint(caller, appId, id);
        EventFilter events = request.events() == null ? null : filter(request.events());
        String description = request.description() == null ? null : description(request.description());
        return switch (service.change(endpoint, request.url(), events, request.enabled(), description)) {
            case EndpointService.Changed changed -> EndpointView.of(changed.endpoint(), null);
            case EndpointService.Refused refused -> throw refusedUrl(refused.reason());
            case EndpointService.Created created -> throw new IllegalStateException("a change creates nothing");
        };
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete an endpoint; its queued deliveries are dropped")
    void delete(@AuthenticationPrincipal Caller caller, @PathVariable("app_id") String appId, @PathVariable String id) {
        if (!service.delete(endpoint(caller, appId, id))) {
            throw ApiProblem.notFound("webhook");
        }
    }

    @PostMapping("/{id}/rotate-secret")
    @Operation(summary = "Rotate the signing secret; the old one keeps signing beside the new one for 24 hours")
    RotatedView rotate(@AuthenticationPrincipal Caller caller, @PathVariable("app_id") String appId, @PathVariable String id) {
        EndpointService.Rotated rotated = service.rotate(endpoint(caller, appId, id));
        return new RotatedView(rotated.secret(), rotated.previousExpiresAt());
    }

    @PostMapping("/{id}/test")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Send a webhook.test event to this endpoint")
    TestView test(@AuthenticationPrincipal Caller caller, @PathVariable("app_id") String appId, @PathVariable String id) {
        WebhookEndpoint endpoint = endpoint(caller, appId, id);
        if (!endpoint.enabled()) {
            throw new ApiProblem(HttpStatus.CONFLICT, "webhook-disabled", "Webhook disabled",
                    "enable the endpoint before sending it a test event");
        }
        return new TestView(traffic.test(endpoint));
    }

    @GetMapping("/{id}/deliveries")
    @Operation(summary = "Recent attempts, newest first: outcome, response status, latency; never a body")
    AttemptList deliveries(@AuthenticationPrincipal Caller caller, @PathVariable("app_id") String appId, @PathVariable String id,
            @RequestParam(name = "limit", defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ApiProblem.invalid("limit", "must be 1–1000");
        }
        return new AttemptList(traffic.attempts(endpoint(caller, appId, id), limit).stream()
                .map(a -> new AttemptView(a.eventId(), a.eventType(), a.deliveryId(), a.attempt(), a.outcome(), a.responseCode(),
                        a.latencyMs(), a.error(), a.attemptedAt()))
                .toList());
    }

    @PostMapping(path = "/{id}/replay", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Queue again the events of a time range [since, until) that this endpoint subscribes to")
    ReplayView replay(@AuthenticationPrincipal Caller caller, @PathVariable("app_id") String appId, @PathVariable String id,
            @RequestBody ReplayRequest request) {
        WebhookEndpoint endpoint = endpoint(caller, appId, id);
        if (request.since() == null) {
            throw ApiProblem.invalid("since", "required");
        }
        Instant until = request.until() == null ? Instant.MAX : request.until();
        if (!until.isAfter(request.since())) {
            throw ApiProblem.invalid("until", "must be after since");
        }
        if (!endpoint.enabled()) {
            throw new ApiProblem(HttpStatus.CONFLICT, "webhook-disabled", "Webhook disabled",
                    "enable the endpoint before replaying events to it");
        }
        return new ReplayView(traffic.replay(endpoint, request.since(), until.equals(Instant.MAX)
                ? Instant.parse("9999-12-31T00:00:00Z") : until));
    }

    /** The app the caller may manage: its own (another's is 404), or any existing one for an admin key. */
    private String app(Caller caller, String appId) {
        if (caller.appId() != null) {
            if (!caller.appId().equals(appId)) {
                throw ApiProblem.notFound("app");
            }
            return appId;
        }
        return apps.find(appId).map(app -> app.id()).orElseThrow(() -> ApiProblem.notFound("app"));
    }

    private WebhookEndpoint endpoint(Caller caller, String appId, String id) {
        return service.find(app(caller, appId), id).orElseThrow(() -> ApiProblem.notFound("webhook"));
    }

    private static EventFilter filter(List<String> events) {
        return switch (EventFilter.parse(events)) {
            case EventFilter.Valid valid -> valid.filter();
            case EventFilter.Invalid invalid -> throw ApiProblem.invalid("events", invalid.reason());
        };
    }

    private static String description(String description) {
        if (description != null && description.length() > 256) {
            throw ApiProblem.invalid("description", "at most 256 characters");
        }
        return description;
    }

    private static ApiProblem refusedUrl(WebhookTargets.Refused refused) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, "webhook-url-refused", "Webhook URL refused",
                "url: " + refused.detail() + " (" + refused.rule() + ")")
                .with("rule", refused.rule())
                .with("errors", List.of(java.util.Map.of("field", "url", "message", refused.detail())));
    }
}
