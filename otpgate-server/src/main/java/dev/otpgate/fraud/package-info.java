/**
 * Fraud: destination rules (per-app country allowlist and refused number types, S-34), SMS-pumping detection
 * per number prefix from start and approval counts, sequential numbers and new countries, with each app's
 * {@code off}/{@code monitor}/{@code block} policy (S-35), and daily spend caps for SMS and voice. Its guards
 * run before a start and read only memory; counts, spend, flags and blocks are written in the background from
 * verification events, and shared by every node through the database.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Fraud",
        allowedDependencies = {"platform", "apps", "privacy", "verification", "access"})
package dev.otpgate.fraud;
