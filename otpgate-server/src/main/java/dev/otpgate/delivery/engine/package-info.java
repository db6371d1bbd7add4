/**
 * Delivery's engine, internal to the module: the committing node's own dispatcher ({@link
 * dev.otpgate.delivery.engine.LocalHandoff}) and the {@code deliver-code} worker the pollers run for what it
 * left, the one try both share ({@link dev.otpgate.delivery.engine.DeliveryRun}), the dispatcher that tries a
 * channel's providers in order, the provider registry and health, the sealed job data, message rendering, and
 * the writes that record each outcome and publish it as a {@link dev.otpgate.delivery.DeliveryEvents} record.
 * Nothing outside {@code delivery} reaches in here.
 */
package dev.otpgate.delivery.engine;
