/**
 * Apps: the tenants of an otpgate instance and their verification settings (brand, code length, TTL,
 * attempt and send caps, channels, locale). It does not authenticate anyone; {@code access} decides who may
 * call {@code /v1/apps}. Other modules read settings through {@link dev.otpgate.apps.AppDirectory}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Apps", allowedDependencies = {"platform", "privacy", "audit"})
package dev.otpgate.apps;
