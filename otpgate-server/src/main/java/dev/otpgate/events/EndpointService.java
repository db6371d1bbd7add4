package dev.otpgate.events;

import dev.otpgate.platform.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Registering, changing and rotating endpoints. Each decision is a value: a URL the
 * {@link WebhookTargets} refuse comes back as {@link Refused}, naming the rule, before anything is written. Each
 * change commits with its audit row ({@link WebhookAudit}), or neither does.
 */
@Service
class EndpointService {

    /** How long a rotated-out secret keeps signing beside the new one. */
    static final Duration ROLLOVER = Duration.ofHours(24);

    sealed interface Outcome permits Created, Changed, Refused {}

    /** @param secret shown once, in the answer to the creation */
    record Created(WebhookEndpoint endpoint, String secret) implements Outcome {}

    record Changed(WebhookEndpoint endpoint) implements Outcome {}

    record Refused(WebhookTargets.Refused reason) implements Outcome {}

    record Rotated(String secret, Instant previousExpiresAt) {}

    private final EndpointRepository endpoints;
    private final EndpointSecrets secrets;
    private final WebhookTargets targets;
    private final Subscriptions subscriptions;
    private final DispatchSignal signal;
    private final WebhookAudit audit;
    private final Clock clock;

    EndpointService(EndpointRepository endpoints, EndpointSecrets secrets, WebhookTargets targets,
            Subscriptions subscriptions, DispatchSignal signal, WebhookAudit audit, Clock clock) {
        this.endpoints = endpoints;
        this.secrets = secrets;
        this.targets = targets;
        this.subscriptions = subscriptions;
        this.signal = signal;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional
    Outcome create(String appId, String url, EventFilter events, String description) {
        if (targets.check(url) instanceof WebhookTargets.Refused refused) {
            return new Refused(refused);
        }
        String id = Ids.newId("wh");
        String secret = Signatures.newSecret();
        Instant now = clock.instant();
        WebhookEndpoint endpoint = new WebhookEndpoint(id, appId, url, description, events, true, null,
                secrets.seal(id, secret), null, null, null, now, now);
        endpoints.insert(endpoint);
        audit.created(endpoint);
        subscriptions.invalidate(appId);
        return new Created(endpoint, secret);
    }

    Optional<WebhookEndpoint> find(String appId, String id) {
        return (Ids.looksLike("wh", id) ? endpoints.find(id) : Optional.<WebhookEndpoint>empty())
                .filter(endpoint -> endpoint.appId().equals(appId));
    }

    List<WebhookEndpoint> list(String appId) {
        return endpoints.list(appId);
    }

    /** A change: each argument {@code null} keeps its value. Enabling an endpoint clears its failing streak. */
    @Transactional
    Outcome change(WebhookEndpoint current, String url, EventFilter events, Boolean enabled, String description) {
        if (url != null && targets.check(url) instanceof WebhookTargets.Refused refused) {
            return new Refused(refused);
        }
        boolean enable = enabled != null && enabled && !current.enabled();
        boolean on = enabled == null ? current.enabled() : enabled;
        String reason = on ? null : enabled != null && !enabled ? "owner" : current.disabledReason();
        endpoints.update(current.id(), url == null ? current.url() : url,
                description == null ? current.description() : description, events == null ? current.events() : events,
                on, reason, enable, clock.instant());
        WebhookEndpoint changed = endpoints.find(current.id()).orElseThrow();
        audit.changed(current, changed);
        subscriptions.invalidate(current.appId());
        if (enable) {
            signal.wakeAfterCommit();
        }
        return new Changed(changed);
    }

    @Transactional
    boolean delete(WebhookEndpoint endpoint) {
        boolean deleted = endpoints.delete(endpoint.id());
        if (deleted) {
            audit.deleted(endpoint);
        }
        subscriptions.invalidate(endpoint.appId());
        return deleted;
    }

    /** A new secret; the current one keeps signing beside it for {@link #ROLLOVER}. */
    @Transactional
    Rotated rotate(WebhookEndpoint endpoint) {
        Instant now = clock.instant();
        String secret = Signatures.newSecret();
        Instant expires = now.plus(ROLLOVER);
        endpoints.rotate(endpoint.id(), secrets.seal(endpoint.id(), secret), endpoint.secret(), expires, now);
        Rotated rotated = new Rotated(secret, expires);
        audit.secretRotated(endpoint, rotated);
        return rotated;
    }
}
