package dev.otpgate.events;

import java.time.Instant;

/**
 * An endpoint was switched off by otpgate, not by its owner: it answered {@code 410 Gone} ({@code gone}), or
 * every attempt to it failed for five days ({@code failing}). A security-relevant change an audit trail records.
 *
 * @param failingSince the first failed attempt since the endpoint's last success
 */
public record WebhookEndpointDisabled(String endpointId, String appId, String reason, Instant failingSince, Instant at) {}
