package dev.otpgate.delivery.engine;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.delivery.*}: how hard the worker tries before a step is failed, how it fails over between a
 * channel's providers, and how a node hands what it committed to its own dispatcher. {@code handoff-threads = 0}
 * turns the hand-off off: every message then waits for the poller.
 *
 * @param maxTries sends tried per step, the first included (1–20); each try walks the channel's providers
 * @param retryBackoff the wait before the second try; it doubles for each later one
 * @param providerCoolOff how long a provider that failed is skipped while its channel has another one
 * @param undeliveredRun this many undelivered receipts in a row from one provider make it cool off too
 * @param handoffGrace how long a queued message is left to the node that committed it: its job row is due only
 *        this long after the commit, so no poller takes it while that node's own dispatcher is about to
 * @param handoffThreads the node's own dispatcher threads, which send what this node committed
 * @param handoffQueue messages waiting for those threads; when it is full, the message waits for the poller
 */
@ConfigurationProperties("otpgate.delivery")
public record DeliveryProperties(
        @DefaultValue("5") int maxTries,
        @DefaultValue("2s") Duration retryBackoff,
        @DefaultValue("60s") Duration providerCoolOff,
        @DefaultValue("5") int undeliveredRun,
        @DefaultValue("5s") Duration handoffGrace,
        @DefaultValue("8") int handoffThreads,
        @DefaultValue("256") int handoffQueue) {

    public DeliveryProperties {
        if (maxTries < 1 || maxTries > 20) {
            throw new IllegalArgumentException("otpgate.delivery.max-tries must be 1–20, was " + maxTries);
        }
        if (retryBackoff.isNegative() || retryBackoff.isZero()) {
            throw new IllegalArgumentException("otpgate.delivery.retry-backoff must be positive, was " + retryBackoff);
        }
        if (providerCoolOff.isNegative()) {
            throw new IllegalArgumentException("otpgate.delivery.provider-cool-off must not be negative, was " + providerCoolOff);
        }
        if (undeliveredRun < 1) {
            throw new IllegalArgumentException("otpgate.delivery.undelivered-run must be at least 1, was " + undeliveredRun);
        }
        if (handoffGrace.isNegative()) {
            throw new IllegalArgumentException("otpgate.delivery.handoff-grace must not be negative, was " + handoffGrace);
        }
        if (handoffThreads < 0 || handoffThreads > 256) {
            throw new IllegalArgumentException("otpgate.delivery.handoff-threads must be 0–256, was " + handoffThreads);
        }
        if (handoffQueue < 0) {
            throw new IllegalArgumentException("otpgate.delivery.handoff-queue must not be negative, was " + handoffQueue);
        }
    }
}
