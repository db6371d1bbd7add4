package dev.otpgate.events;

import dev.otpgate.audit.AuditContext;
import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Endpoint changes in the audit trail, each in the transaction that makes it (the row commits with the change or
 * neither does). A row names the endpoint, its app, the event types and which fields changed, never a signing
 * secret, and never the URL beyond its scheme and host: a path or query may carry a token of the receiver's.
 */
@Component
class WebhookAudit {

    private final AuditTrail audit;

    WebhookAudit(AuditTrail audit) {
        this.audit = audit;
    }

    void created(WebhookEndpoint endpoint) {
        audit.record(AuditEntry.success("webhook.created", endpoint.appId(), endpoint.id())
                .with("url_host", host(endpoint.url()))
                .with("events", String.join(" ", endpoint.events().patterns())));
    }

    void changed(WebhookEndpoint before, WebhookEndpoint after) {
        List<String> fields = new ArrayList<>();
        AuditEntry entry = AuditEntry.success("webhook.updated", after.appId(), after.id());
        if (!before.url().equals(after.url())) {
            fields.add("url");
            entry = entry.with("url_host", host(after.url()));
        }
        if (!before.events().equals(after.events())) {
            fields.add("events");
            entry = entry.with("events", String.join(" ", after.events().patterns()));
        }
        if (before.enabled() != after.enabled()) {
            fields.add("enabled");
            entry = entry.with("enabled", after.enabled());
        }
        if (!java.util.Objects.equals(before.description(), after.description())) {
            fields.add("description");
        }
        audit.record(entry.with("fields", String.join(" ", fields)));
    }

    void secretRotated(WebhookEndpoint endpoint, EndpointService.Rotated rotated) {
        audit.record(AuditEntry.success("webhook.secret_rotated", endpoint.appId(), endpoint.id())
                .with("previous_secret_expires_at", rotated.previousExpiresAt()));
    }

    void deleted(WebhookEndpoint endpoint) {
        audit.record(AuditEntry.success("webhook.deleted", endpoint.appId(), endpoint.id())
                .with("url_host", host(endpoint.url())));
    }

    /** Published in the transaction that disables the endpoint; otpgate decided it, so the actor is {@code system}. */
    @EventListener
    void on(WebhookEndpointDisabled disabled) {
        audit.record(AuditEntry.success("webhook.disabled", disabled.appId(), disabled.endpointId())
                .with("reason", disabled.reason())
                .with("failing_since", disabled.failingSince())
                .by(AuditContext.SYSTEM, null));
    }

    /** {@code https://host}: no port, path, query or user information. */
    static String host(String url) {
        URI uri = URI.create(url);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return (uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT)) + "://" + host;
    }
}
