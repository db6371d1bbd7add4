package dev.otpgate.fraud;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The background side of the fraud module, on one thread of its own: writes counts and spend, reloads blocks
 * and spend from other nodes, runs the detector and records flags raised by the start guard.
 */
@Component
class FraudJobs implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(FraudJobs.class);

    private final FraudLedger ledger;
    private final FraudBlocks blocks;
    private final PumpingDetector detector;
    private final FraudProperties properties;
    private volatile ScheduledExecutorService executor;

    FraudJobs(FraudLedger ledger, FraudBlocks blocks, PumpingDetector detector, FraudProperties properties) {
        this.ledger = ledger;
        this.blocks = blocks;
        this.detector = detector;
        this.properties = properties;
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("fraud-jobs").daemon().factory());
        every(properties.flushInterval().toMillis(), "flush", ledger::flush);
        every(properties.refreshInterval().toMillis(), "refresh", this::refresh);
        every(properties.evaluateInterval().toMillis(), "evaluate", this::evaluate);
        run("refresh", this::refresh);
    }

    /** Writes pending counts, then runs the detector and the sweep. */
    void evaluate() {
        ledger.flush();
        detector.evaluate();
        detector.sweep();
    }

    void refresh() {
        blocks.refresh();
        ledger.refreshSpend();
    }

    /** Runs {@code task} on the fraud thread, off the caller's path. */
    void submit(String name, Runnable task) {
        ScheduledExecutorService current = executor;
        if (current != null) {
            current.execute(() -> run(name, task));
        }
    }

    private void every(long millis, String name, Runnable task) {
        executor.scheduleWithFixedDelay(() -> run(name, task), millis, millis, TimeUnit.MILLISECONDS);
    }

    private static void run(String name, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("Fraud job {} failed: {}", name, e.getClass().getSimpleName());
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService current = executor;
        executor = null;
        if (current != null) {
            current.shutdown();
            try {
                current.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            run("flush", ledger::flush);
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
