package dev.otpgate.events;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.webhooks.*}; docs/configuration.md documents every name.
 *
 * @param allowedPrivateNetworks CIDRs that may be called although they are loopback, private, link-local or
 *     unique-local (tests, private deployments); cloud metadata addresses stay refused. Production mode warns
 *     when it is set
 * @param sslBundle the Spring SSL bundle receivers' certificates are checked against; unset: the JVM's trust store
 * @param timeout the whole of one attempt: connect, TLS, request and the answer's status line and headers
 * @param maxPayloadBytes the largest event body sent; larger payloads are cut to their identifiers
 * @param retrySchedule the delay before each attempt, the first included (Standard Webhooks' example schedule)
 * @param jitter each delay after the first is moved by up to this fraction either way
 * @param disableAfter an endpoint whose every attempt failed for this long is disabled
 * @param pollInterval how often each node looks for due deliveries (new events on the same node wake it at once)
 * @param batchSize the most deliveries a node claims per poll
 * @param concurrency the most attempts a node has in flight
 * @param lease how long a claimed delivery is reserved for its node; after a crash another node takes it then
 * @param subscriptionCacheTtl how long a node keeps an app's subscriptions in memory; a change made on another
 *     node applies after at most this long (changes on the same node apply at once)
 * @param retention events and attempts older than this are deleted (and can no longer be replayed)
 */
@ConfigurationProperties("otpgate.webhooks")
record WebhookProperties(
        @DefaultValue List<String> allowedPrivateNetworks,
        String sslBundle,
        @DefaultValue("15s") Duration timeout,
        @DefaultValue("20480") int maxPayloadBytes,
        @DefaultValue({"0s", "5s", "5m", "30m", "2h", "5h", "10h", "14h", "20h", "24h"}) List<Duration> retrySchedule,
        @DefaultValue("0.1") double jitter,
        @DefaultValue("5d") Duration disableAfter,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("50") int batchSize,
        @DefaultValue("16") int concurrency,
        @DefaultValue("2m") Duration lease,
        @DefaultValue("10s") Duration subscriptionCacheTtl,
        @DefaultValue("30d") Duration retention) {}
