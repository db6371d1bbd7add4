package dev.otpgate.delivery.engine;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The hand-off's statements on db-scheduler's {@code scheduled_tasks} rows, in db-scheduler's own columns and with
 * its own rules, so its pollers and its dead-execution detection on every node treat a row held here like one of
 * their own: a picked row is left alone while its heartbeat is fresh, and revived when it is not.
 */
@Component
class HandoffJobs {

    /** db-scheduler inserts a job at version 1, and every pick, revival or retry changes the row. */
    private static final long FIRST_VERSION = 1;

    private final JdbcClient jdbc;
    private final Clock clock;

    HandoffJobs(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Claims a job that never ran: still unpicked, at its first version, never failed. Empty when another node's
     * poller took it, its owner withdrew it, or it ran before (a revived or retried row has {@code last_failure}
     * set, and db-scheduler puts such rows back at version 1): then it is not this run's to send.
     */
    Optional<HeldJob> claim(String instanceId, String pickedBy) {
        int claimed = jdbc.sql("update scheduled_tasks set picked = ?, picked_by = ?, last_heartbeat = ?, version = version + 1 "
                        + "where task_name = ? and task_instance = ? and picked = ? and version = ? and last_failure is null")
                .params(true, pickedBy, now(), DeliveryWorker.TASK_NAME, instanceId, false, FIRST_VERSION).update();
        return claimed == 1 ? Optional.of(new HeldJob(instanceId, FIRST_VERSION + 1, pickedBy)) : Optional.empty();
    }

    /**
     * Makes a job that never ran due now, for the pollers of every node: its node's dispatcher has no room for it,
     * and it should not wait out the grace.
     */
    boolean release(String instanceId) {
        return jdbc.sql("update scheduled_tasks set execution_time = ? where task_name = ? and task_instance = ? "
                        + "and picked = ? and version = ? and last_failure is null")
                .params(now(), DeliveryWorker.TASK_NAME, instanceId, false, FIRST_VERSION).update() == 1;
    }

    /** Tells the other nodes' dead-execution detection that the run holding {@code job} is alive. */
    boolean heartbeat(HeldJob job) {
        return jdbc.sql("update scheduled_tasks set last_heartbeat = ? where task_name = ? and task_instance = ? and version = ? "
                        + "and picked_by = ?")
                .params(now(), DeliveryWorker.TASK_NAME, job.instanceId(), job.version(), job.pickedBy()).update() == 1;
    }

    /**
     * Hands a job whose first try failed back to db-scheduler's schedule, as its failure handler would: unpicked, due
     * after {@code backoff}, one consecutive failure counted, so that the next try (on any node) and its backoff are
     * db-scheduler's.
     */
    boolean handBack(HeldJob job, Duration backoff) {
        Instant now = clock.instant();
        return jdbc.sql("update scheduled_tasks set picked = ?, picked_by = null, last_heartbeat = null, execution_time = ?, "
                        + "last_failure = ?, consecutive_failures = coalesce(consecutive_failures, 0) + 1, version = version + 1 "
                        + "where task_name = ? and task_instance = ? and version = ? and picked_by = ?")
                .params(false, Timestamp.from(now.plus(backoff)), Timestamp.from(now), DeliveryWorker.TASK_NAME, job.instanceId(),
                        job.version(), job.pickedBy())
                .update() == 1;
    }

    /** Removes a finished job (its outcome is recorded), as db-scheduler removes a completed one-time job. */
    void delete(HeldJob job) {
        jdbc.sql(DELETE).params(DeliveryWorker.TASK_NAME, job.instanceId(), job.version(), job.pickedBy()).update();
    }

    /** {@link #delete} as a statement of its own, or as a clause of one with named parameters. */
    static final String DELETE =
            "delete from scheduled_tasks where task_name = ? and task_instance = ? and version = ? and picked_by = ?";

    static final String DELETE_NAMED = "delete from scheduled_tasks where task_name = :task_name and task_instance = :task_instance "
            + "and version = :version and picked_by = :picked_by";

    private Timestamp now() {
        return Timestamp.from(clock.instant());
    }
}
