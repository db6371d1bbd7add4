/**
 * Events: signed webhooks out. Apps register HTTPS endpoints ({@code /v1/apps/{app_id}/webhooks}) and the event
 * types they want; the domain events of the other modules are written to an outbox in the transaction of the
 * state change they report ({@link dev.otpgate.events.Outbox}), and dispatchers on every node claim due
 * deliveries with a lease and send them signed as Standard Webhooks v1 specifies, at least once, with the
 * specification's retry schedule. Egress is SSRF-safe: the host is resolved once per attempt, every address is
 * checked, and the connection goes to the checked address with TLS verified for the original host name.
 *
 * <p>Its one public event, {@link dev.otpgate.events.WebhookEndpointDisabled}, says an endpoint was switched off
 * for failing (five days of failures, or 410 Gone); it is recorded in the audit trail, in the transaction that
 * disables the endpoint, as are the changes made through the API ({@link dev.otpgate.events.WebhookAudit}).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Events",
        allowedDependencies = {"platform", "audit", "access", "apps", "verification", "delivery", "delivery :: provider", "fraud", "totp"})
package dev.otpgate.events;
