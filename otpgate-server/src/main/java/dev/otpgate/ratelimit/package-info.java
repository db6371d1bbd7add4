/**
 * Rate limits: token buckets (Bucket4j) behind one small API, {@link dev.otpgate.ratelimit.RateLimiter}. The
 * buckets live in memory (one node), in Redis or in PostgreSQL (shared by every node, S-33), chosen by
 * {@code otpgate.rate-limit.store}. Keys are opaque to this module and must never hold a raw destination or IP;
 * callers pass blind indexes and keyed hashes. It knows nothing of verifications: the start guard that applies
 * the start policies lives in {@code verification} and calls this module.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Rate limits", allowedDependencies = "platform")
package dev.otpgate.ratelimit;
