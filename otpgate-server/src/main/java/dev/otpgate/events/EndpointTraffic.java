package dev.otpgate.events;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** What goes to an endpoint on request: a {@code webhook.test} event, a replay of a time range, its recent attempts. */
@Service
class EndpointTraffic {

    /** The most events one replay queues again. */
    static final int REPLAY_LIMIT = 10_000;

    private final Outbox outbox;
    private final DeliveryStore deliveries;
    private final DispatchSignal signal;
    private final TransactionTemplate transactions;
    private final Clock clock;

    EndpointTraffic(Outbox outbox, DeliveryStore deliveries, DispatchSignal signal, TransactionTemplate transactions,
            Clock clock) {
        this.outbox = outbox;
        this.deliveries = deliveries;
        this.signal = signal;
        this.transactions = transactions;
        this.clock = clock;
    }

    String test(WebhookEndpoint endpoint) {
        return transactions.execute(status -> outbox.test(endpoint.appId(), endpoint.id()));
    }

    int replay(WebhookEndpoint endpoint, Instant since, Instant until) {
        Integer queued = transactions.execute(status -> deliveries.replay(endpoint, since, until, clock.instant(), REPLAY_LIMIT));
        signal.wake();
        return queued == null ? 0 : queued;
    }

    List<DeliveryStore.Attempt> attempts(WebhookEndpoint endpoint, int limit) {
        return deliveries.recent(endpoint.id(), limit);
    }
}
