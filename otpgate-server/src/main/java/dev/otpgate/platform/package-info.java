/**
 * Platform: what every other module stands on. TLS bootstrap, the key ring (Tink key sets wrapped by the
 * master key), RFC 9457 problem details for every failure, request body limits, ids and the clock, and
 * the per-node caches with the invalidations that reach every node.
 * It owns no business rules and depends on no other module.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Platform", type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package dev.otpgate.platform;
