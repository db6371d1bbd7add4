/**
 * TOTP: authenticator apps. RFC 4226/6238 code computation (JDK only), factors with encrypted seeds, the
 * enrollment URI and QR code, activation, the replay guard, lockout and recovery codes (S-16 to S-23, S-41).
 * It does not deliver anything; codes come from the person's own device.
 */
@org.springframework.modulith.ApplicationModule(displayName = "TOTP",
        allowedDependencies = {"platform", "apps", "access", "audit"})
package dev.otpgate.totp;
