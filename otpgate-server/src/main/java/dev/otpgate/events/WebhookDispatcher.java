package dev.otpgate.events;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Every node's dispatcher: it claims due deliveries (at most as many as it has free slots), runs each attempt on
 * a virtual thread, and claims again as soon as a slot frees while it finds as many as it asked for; otherwise
 * after {@code poll-interval} or when an event committed on this node wakes it. Started last and stopped first, so that it never runs
 * against a closing context.
 */
@Component
class WebhookDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final DeliveryStore deliveries;
    private final AttemptRunner attempts;
    private final DispatchSignal signal;
    private final WebhookMetrics metrics;
    private final WebhookProperties properties;
    private final Clock clock;
    private final Semaphore slots;
    private volatile ExecutorService workers;
    private volatile Thread poller;
    private volatile boolean running;

    WebhookDispatcher(DeliveryStore deliveries, AttemptRunner attempts, DispatchSignal signal, WebhookMetrics metrics,
            WebhookProperties properties, Clock clock) {
        this.deliveries = deliveries;
        this.attempts = attempts;
        this.signal = signal;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
        this.slots = new Semaphore(properties.concurrency());
    }

    @Override
    public void start() {
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("webhook-", 0).factory());
        running = true;
        poller = Thread.ofPlatform().daemon().name("webhook-dispatcher").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                int free = slots.availablePermits();
                if (free == 0) {
                    // Every slot is busy: wait for one to free up, then claim again at once.
                    slots.acquire();
                    slots.release();
                    continue;
                }
                int limit = Math.min(free, properties.batchSize());
                if (pollOnce(limit) < limit) {
                    // Nothing more is due: wait for the next poll, or for an event committed on this node.
                    signal.await(properties.pollInterval().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("Webhook dispatch poll failed: {}", e.getClass().getSimpleName());
                sleep();
            }
        }
    }

    /** Claims and starts up to {@code limit} due deliveries; returns how many. */
    int pollOnce(int limit) {
        Instant now = clock.instant();
        List<DeliveryStore.Claimed> claimed = deliveries.claim(limit, now, now.plus(properties.lease()));
        metrics.queueAge(claimed.isEmpty() ? Duration.ZERO : Duration.between(claimed.getFirst().dueAt(), now));
        for (DeliveryStore.Claimed delivery : claimed) {
            slots.acquireUninterruptibly();
            try {
                workers.execute(() -> {
                    try {
                        attempts.run(delivery);
                    } catch (RuntimeException e) {
                        // The lease runs out and the delivery is tried again; the cause, without the URL.
                        log.warn("Webhook attempt {} failed unexpectedly: {}", delivery.id(), e.getClass().getSimpleName());
                    } finally {
                        slots.release();
                    }
                });
            } catch (RuntimeException rejected) {
                slots.release();
                deliveries.release(delivery);
            }
        }
        return claimed.size();
    }

    private void sleep() {
        try {
            Thread.sleep(properties.pollInterval().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        Thread thread = poller;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ExecutorService executor = workers;
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(properties.timeout().toSeconds() + 1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 10;
    }
}
