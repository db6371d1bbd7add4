/**
 * Audit: the tamper-evident trail (S-44, S-46). Rows are chained by HMAC under the audit key, sealed every N rows
 * or T minutes by Ed25519-signed checkpoints, delivered to the configured sinks (JSON Lines file, stdout, syslog
 * RFC 5424), read through {@code /v1/audit-events}, verified online and offline, and purged after the retention
 * period behind a checkpoint that records the purge.
 * <p>It is a low-level module: it depends on {@code platform} only, and every other module records through
 * {@link dev.otpgate.audit.AuditTrail}: admin actions in their own transaction ({@code record}), security events
 * seen on a request path durably after the fact ({@code recordLater}), and bursts rolled up into one row
 * ({@code rollUp}). It knows no other module's types.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Audit", allowedDependencies = "platform")
package dev.otpgate.audit;
