package dev.otpgate.fraud;

import dev.otpgate.platform.JobThread;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The background side of the fraud module, on one thread of its own: writes counts and spend, reloads blocks
 * and spend from other nodes, runs the detector and records flags raised by the start guard.
 */
@Component
class FraudJobs implements SmartLifecycle {

    private final FraudLedger ledger;
    private final FraudBlocks blocks;
    private final PumpingDetector detector;
    private final FraudProperties properties;
    private final JobThread thread = new JobThread("fraud-jobs", Duration.ofSeconds(5));

    FraudJobs(FraudLedger ledger, FraudBlocks blocks, PumpingDetector detector, FraudProperties properties) {
        this.ledger = ledger;
        this.blocks = blocks;
        this.detector = detector;
        this.properties = properties;
    }

    @Override
    public void start() {
        thread.start();
        thread.every(properties.flushInterval(), "flush", ledger::flush);
        thread.every(properties.refreshInterval(), "refresh", this::refresh);
        thread.every(properties.evaluateInterval(), "evaluate", this::evaluate);
        thread.run("refresh", this::refresh);
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
        thread.submit(name, task);
    }

    @Override
    public void stop() {
        if (thread.stop()) {
            thread.run("flush", ledger::flush);
        }
    }

    @Override
    public boolean isRunning() {
        return thread.isRunning();
    }
}
