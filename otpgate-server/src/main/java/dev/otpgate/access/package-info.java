/**
 * Access: who is calling. API keys (prefixed, checksummed, stored hashed, scoped, revocable at once on every node,
 * rotatable with a grace period), admin keys with the bootstrap key among them, the per-node credential cache, the
 * security filter chain with deny-by-default rules and security headers (S-24,
 * S-28–S-31, S-38). It does not decide what a verification may do; it only says which app and scopes a
 * caller holds, as a {@link dev.otpgate.access.Caller}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Access", allowedDependencies = {"platform", "apps", "ratelimit", "audit"})
package dev.otpgate.access;
