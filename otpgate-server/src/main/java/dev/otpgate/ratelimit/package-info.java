/**
 * Rate limits: token buckets (Bucket4j) behind one small API, {@link dev.otpgate.ratelimit.RateLimiter}. The
 * buckets live in memory (one node), in Redis or in PostgreSQL (shared by every node, S-33), chosen by
 * {@code otpgate.rate-limit.store}. Keys are opaque to this module and must never hold a raw destination or IP;
 * callers pass blind indexes and keyed hashes. Consecutive failures with growing lockouts are built from buckets
 * of the same store. {@link dev.otpgate.ratelimit.ClientAddresses} resolves the client address per-IP limits
 * count (S-27). It knows nothing of verifications: the start and check guards that apply the policies live in
 * {@code verification} and call this module.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Rate limits", allowedDependencies = "platform")
package dev.otpgate.ratelimit;
