package dev.otpgate.audit;

import dev.otpgate.platform.JobThread;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The node-local side of the trail, on one thread of its own: writes the bursts this node counted, and pumps the
 * sinks. Counted bursts are written once more when the node stops.
 */
@Component
class AuditWorker implements SmartLifecycle {

    private final AuditSinkPump pump;
    private final AuditRollups rollups;
    private final AuditProperties properties;
    private final JobThread thread = new JobThread("audit-worker", Duration.ofSeconds(10));

    AuditWorker(AuditSinkPump pump, AuditRollups rollups, AuditProperties properties) {
        this.pump = pump;
        this.rollups = rollups;
        this.properties = properties;
    }

    @Override
    public void start() {
        thread.start();
        thread.every(properties.rollupInterval(), "roll-up", rollups::flush);
        if (pump.hasSinks()) {
            thread.every(properties.sinkInterval(), Duration.ZERO, "sinks", pump::pumpAll);
        }
    }

    @Override
    public void stop() {
        thread.stop();
        thread.run("roll-up", rollups::flush);
    }

    @Override
    public boolean isRunning() {
        return thread.isRunning();
    }

    @Override
    public int getPhase() {
        // Stops before the data source and the scheduler go.
        return Integer.MAX_VALUE - 1000;
    }
}
