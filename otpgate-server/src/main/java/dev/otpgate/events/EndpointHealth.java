package dev.otpgate.events;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An endpoint's failing streak: started by its first failure after a success, ended by a success. An endpoint
 * that answers 410, or whose streak lasts {@code disable-after}, is disabled, and {@link WebhookEndpointDisabled}
 * is published in the transaction that disables it.
 */
@Component
class EndpointHealth {

    private static final Logger log = LoggerFactory.getLogger(EndpointHealth.class);

    private final EndpointRepository endpoints;
    private final Subscriptions subscriptions;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final WebhookProperties properties;

    EndpointHealth(EndpointRepository endpoints, Subscriptions subscriptions, ApplicationEventPublisher events,
            TransactionTemplate transactions, WebhookProperties properties) {
        this.endpoints = endpoints;
        this.subscriptions = subscriptions;
        this.events = events;
        this.transactions = transactions;
        this.properties = properties;
    }

    void succeeded(WebhookEndpoint endpoint) {
        if (endpoint.failingSince() != null) {
            endpoints.succeeded(endpoint.id());
        }
    }

    void failed(WebhookEndpoint endpoint, Instant now) {
        Instant since = endpoints.failed(endpoint.id(), now);
        if (!since.isAfter(now.minus(properties.disableAfter()))) {
            disable(endpoint, "failing", since, now);
        }
    }

    void gone(WebhookEndpoint endpoint, Instant now) {
        Instant since = endpoints.failed(endpoint.id(), now);
        disable(endpoint, "gone", since, now);
    }

    private void disable(WebhookEndpoint endpoint, String reason, Instant since, Instant now) {
        boolean disabled = Boolean.TRUE.equals(transactions.execute(status -> {
            if (!endpoints.disable(endpoint.id(), reason, now)) {
                return false;
            }
            events.publishEvent(new WebhookEndpointDisabled(endpoint.id(), endpoint.appId(), reason, since, now));
            return true;
        }));
        if (disabled) {
            subscriptions.invalidate(endpoint.appId());
            log.warn("Webhook endpoint {} of app {} disabled: {}", endpoint.id(), endpoint.appId(),
                    reason.equals("gone") ? "it answered 410 Gone" : "every attempt failed since " + since);
        }
    }
}
