/**
 * Fraud: destination rules (per-app country allowlist and refused number types, S-34), SMS-pumping detection
 * per number prefix from send and approval counts, sequential numbers and new countries, with each app's
 * {@code off}/{@code monitor}/{@code block} policy (S-35), and daily spend caps for SMS and voice. Its rules are
 * {@link dev.otpgate.verification.SendRule}s, asked before every send (a start, a resend, every workflow step)
 * for the channel of that send, and read only memory; counts, spend, flags and blocks are written in the
 * background from verification events, and shared by every node through the database.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Fraud",
        allowedDependencies = {"platform", "apps", "privacy", "verification", "access", "audit"})
package dev.otpgate.fraud;
