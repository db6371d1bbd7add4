package dev.otpgate.audit;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The node-local side of the trail, on one thread of its own: writes the bursts this node counted, and pumps the
 * sinks. Counted bursts are written once more when the node stops.
 */
@Component
class AuditWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditWorker.class);

    private final AuditSinkPump pump;
    private final AuditRollups rollups;
    private final AuditProperties properties;
    private volatile ScheduledExecutorService executor;

    AuditWorker(AuditSinkPump pump, AuditRollups rollups, AuditProperties properties) {
        this.pump = pump;
        this.rollups = rollups;
        this.properties = properties;
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("audit-worker").daemon().factory());
        long rollup = properties.rollupInterval().toMillis();
        executor.scheduleWithFixedDelay(() -> run("roll-up", rollups::flush), rollup, rollup, TimeUnit.MILLISECONDS);
        if (pump.hasSinks()) {
            long sinks = properties.sinkInterval().toMillis();
            executor.scheduleWithFixedDelay(() -> run("sinks", pump::pumpAll), 0, sinks, TimeUnit.MILLISECONDS);
        }
    }

    private static void run(String name, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("Audit job {} failed: {}", name, e.getClass().getSimpleName());
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService current = executor;
        executor = null;
        if (current != null) {
            current.shutdown();
            try {
                current.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        run("roll-up", rollups::flush);
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    @Override
    public int getPhase() {
        // Stops before the data source and the scheduler go.
        return Integer.MAX_VALUE - 1000;
    }
}
