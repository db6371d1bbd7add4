package dev.otpgate.fraud;

import java.time.Instant;

/**
 * Published when the detector flags traffic (S-35), in {@code monitor} and {@code block} mode alike.
 *
 * @param reason {@code volume-spike}, {@code sequential-numbers} or {@code new-country}
 * @param action {@code flagged} (monitor: starts still pass) or {@code blocked}
 * @param prefix the number range ({@code +} country code and a few digits), {@code null} for a country flag
 */
public record FraudSuspected(String flagId, String appId, String reason, String action, String country, String prefix,
        int starts, int approvals, Instant at) {}
