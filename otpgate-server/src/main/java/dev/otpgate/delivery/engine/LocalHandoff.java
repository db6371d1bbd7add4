package dev.otpgate.delivery.engine;

import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.boot.config.DbSchedulerProperties;
import dev.otpgate.delivery.DeliveryRequest;
import jakarta.annotation.PreDestroy;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The committing node's own dispatcher: right after a start (or a resend, or a workflow's next step) commits, the
 * message it queued, still in memory, is sent from here instead of waiting for a poller to find, pick and re-read
 * its job row. The row stays the durable record: it is written due {@code handoff-grace} after the commit, so that
 * while this node is about to send, no poller takes it; if this node dies first, or its queue is full, a poller on
 * any node takes the row once it is due, as before.
 *
 * <p>A run first claims the row in db-scheduler's own columns, by one conditional update that succeeds only for a
 * row that never ran ({@link HandoffJobs#claim}); losing it means another node has the message, and this run
 * stops. Because the claim proves it is the first run, it does not ask whether the step already went out. A held
 * row gets a heartbeat like db-scheduler's own executions ({@code db-scheduler.heartbeat-interval}), so that a slow
 * provider call is not taken for a dead one elsewhere; a row whose holder died stops beating and is revived by
 * db-scheduler's dead-execution detection, and that run does ask. A first try that failed is handed back to
 * db-scheduler's schedule ({@link HandoffJobs#handBack}): the retries, their backoff and the failover are then its.
 *
 * <p>What it does not do: wait for a thread (a full queue makes the row due at once and leaves it to the pollers),
 * nor take up messages other nodes committed.
 */
@Component
public class LocalHandoff {

    private static final Logger log = LoggerFactory.getLogger(LocalHandoff.class);

    private final HandoffJobs jobs;
    private final DeliveryRun run;
    private final DeliveryWakeUp wakeUp;
    private final Clock clock;
    private final Duration grace;
    private final Duration retryBackoff;
    private final Duration heartbeatInterval;
    private final String pickedBy;
    private final ThreadPoolExecutor executor;
    private final ScheduledExecutorService heartbeats;
    private final Map<String, Beat> held = new ConcurrentHashMap<>();

    /** A held row and when it last told the others it is alive. */
    private record Beat(HeldJob job, Instant at) {}

    LocalHandoff(HandoffJobs jobs, DeliveryRun run, DeliveryWakeUp wakeUp, Clock clock, DeliveryProperties properties,
            DbSchedulerProperties scheduler) {
        this.jobs = jobs;
        this.run = run;
        this.wakeUp = wakeUp;
        this.clock = clock;
        this.grace = properties.handoffGrace();
        this.retryBackoff = properties.retryBackoff();
        this.heartbeatInterval = scheduler.getHeartbeatInterval();
        String name = scheduler.getSchedulerName();
        name = name == null || name.isBlank() ? new SchedulerName.Hostname().getName() : name;
        // Unique to this process, so that no other holder of the row (a node, or this one after a restart) is taken
        // for this one; picked_by holds 50 characters.
        this.pickedBy = name.substring(0, Math.min(name.length(), 40)) + "#" + suffix();
        if (properties.handoffThreads() == 0) {
            this.executor = null;
            this.heartbeats = null;
            return;
        }
        BlockingQueue<Runnable> queue = properties.handoffQueue() == 0
                ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(properties.handoffQueue());
        this.executor = new ThreadPoolExecutor(properties.handoffThreads(), properties.handoffThreads(), 60, TimeUnit.SECONDS,
                queue, Thread.ofPlatform().name("delivery-handoff-", 1).daemon().factory());
        this.executor.allowCoreThreadTimeOut(true);
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("delivery-handoff-heartbeat").daemon().factory());
        long every = Math.max(100, heartbeatInterval.toMillis() / 2);
        this.heartbeats.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }

    private static String suffix() {
        String digits = Long.toString(new SecureRandom().nextLong() >>> 1, 36);
        return digits.substring(0, Math.min(8, digits.length()));
    }

    /**
     * When the job row of a message queued at {@code queuedAt} is due for the pollers: after the grace, or at once
     * when the hand-off is off.
     */
    public Instant dueAt(Instant queuedAt) {
        return executor == null ? queuedAt : queuedAt.plus(grace);
    }

    /**
     * Sends {@code request}, whose job row {@code instanceId} has just committed, from this node; with the hand-off
     * off, nudges the poller instead. Returns at once.
     */
    public void committed(DeliveryRequest request, String instanceId) {
        if (executor == null) {
            wakeUp.now();
            return;
        }
        try {
            executor.execute(() -> send(request, instanceId));
        } catch (RejectedExecutionException busy) {
            // A busy (or stopping) node: the row is made due now and the pollers take it, on any node. Should that
            // fail too, it is due after the grace.
            log.debug("Dispatcher busy; {} goes to the pollers", request);
            try {
                jobs.release(instanceId);
                wakeUp.now();
            } catch (RuntimeException e) {
                log.info("Could not release {} to the pollers early, it is theirs after the grace: {}", request, e.getMessage());
            }
        }
    }

    private void send(DeliveryRequest request, String instanceId) {
        Optional<HeldJob> claimed;
        try {
            claimed = jobs.claim(instanceId, pickedBy);
        } catch (RuntimeException e) {
            log.info("Could not claim {} for this node's dispatcher, it waits for the poller: {}", request, e.getMessage());
            return;
        }
        if (claimed.isEmpty()) {
            return; // A poller took it, or it was withdrawn.
        }
        HeldJob job = claimed.get();
        held.put(instanceId, new Beat(job, clock.instant()));
        try {
            switch (run.run(request, new DeliveryRun.Attempt(1, job))) {
                case DeliveryRun.Result.Settled settled -> {
                    if (!settled.recorded()) {
                        jobs.delete(job);
                    }
                }
                case DeliveryRun.Result.Retry retry -> handBack(request, job);
            }
        } catch (RuntimeException e) {
            log.warn("Delivery of {} failed on this node's dispatcher ({}), handing it to the poller", request,
                    e.getClass().getSimpleName());
            handBack(request, job);
        } finally {
            held.remove(instanceId);
        }
    }

    private void handBack(DeliveryRequest request, HeldJob job) {
        try {
            if (!jobs.handBack(job, retryBackoff)) {
                log.warn("{} was taken over while this node held it", request);
            }
        } catch (RuntimeException e) {
            // The row stays picked without heartbeats: db-scheduler's dead-execution detection revives it.
            log.warn("Could not hand {} back to the poller: {}", request, e.getMessage());
        }
    }

    /** Beats for the rows held longer than half a heartbeat interval, as db-scheduler beats for its own. */
    private void beat() {
        Instant now = clock.instant();
        for (Beat beat : held.values()) {
            if (Duration.between(beat.at(), now).compareTo(heartbeatInterval.dividedBy(2)) < 0) {
                continue;
            }
            try {
                if (jobs.heartbeat(beat.job())) {
                    held.replace(beat.job().instanceId(), beat, new Beat(beat.job(), now));
                }
            } catch (RuntimeException e) {
                log.warn("Heartbeat for {} failed: {}", beat.job().instanceId(), e.getMessage());
            }
        }
    }

    /**
     * Lets the runs in flight finish (their rows keep beating meanwhile) and drops the ones still waiting for a
     * thread: their rows are unclaimed, and a poller takes them once due.
     */
    @PreDestroy
    void stop() throws InterruptedException {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        List<Runnable> waiting = new ArrayList<>();
        executor.getQueue().drainTo(waiting);
        if (!waiting.isEmpty()) {
            log.info("{} queued messages left to the poller at shutdown", waiting.size());
        }
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            log.warn("Messages still in a provider call at shutdown; their rows are revived elsewhere once their heartbeats stop");
        }
        heartbeats.shutdownNow();
    }
}
