/**
 * Delivery: getting a code to a person. The durable job queue (db-scheduler) that a start commits together
 * with its verification, the worker that renders a message and hands it to a {@link dev.otpgate.delivery.Provider},
 * retries with backoff, and one sub-package per channel provider (SMTP email, the dev inbox). It knows nothing
 * of codes' validity; it asks the {@link dev.otpgate.delivery.DeliveryTracker} whether a step is still current.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Delivery", allowedDependencies = {"platform", "privacy", "apps"})
package dev.otpgate.delivery;
