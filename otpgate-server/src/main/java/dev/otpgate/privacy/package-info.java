/**
 * Privacy: destinations (phone numbers and email addresses) as otpgate keeps them. Parsing and normalising
 * (libphonenumber, E.164), AEAD encryption at rest, the keyed blind index used for look-ups, and masking for
 * every response and log line (S-43, S-50). It does not decide which destinations are allowed; that is fraud's.
 * Retention, erasure (recorded in the audit trail) and export of one person's data live here too.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Privacy", allowedDependencies = {"platform", "audit"})
package dev.otpgate.privacy;
