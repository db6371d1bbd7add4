/**
 * Delivery: getting a message to a person. Its API, this package: the durable job queue
 * ({@link dev.otpgate.delivery.DeliveryQueue}, db-scheduler) that a start commits together with its
 * verification, the step records ({@link dev.otpgate.delivery.DeliverySteps}), the outcome events and the
 * {@link dev.otpgate.delivery.SendGate}. Inside: {@code provider}, the SPI adapters implement (a named
 * interface); {@code engine}, the worker that renders a message and hands it to the channel's providers in
 * priority order with failover and retries, the provider registry and the receipts; and one sub-package per
 * provider (SMPP, Twilio, Vonage, WhatsApp, a generic HTTP gateway, SMTP, the dev inbox).
 *
 * <p>It knows nothing of codes' validity or of workflows: it reports each outcome as a
 * {@link dev.otpgate.delivery.DeliveryEvents} record, published in the transaction that records it, and the
 * owner of the workflow ({@code verification}) decides what comes next. A message whose code was replaced
 * before a worker picked it up is withdrawn by that owner. The {@link dev.otpgate.delivery.SendGate} asked
 * before each phone send (the SIM-swap check) is the one rule that runs here, because it calls a remote API.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Delivery", allowedDependencies = {"platform", "privacy", "apps", "audit"})
package dev.otpgate.delivery;
