package dev.otpgate.platform;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread of a module's own for its periodic jobs, off every request's path. A job that fails is
 * logged by its name and the exception's class only (a message may quote a destination), and runs again at its
 * next turn. Started and stopped by the owner's lifecycle; after {@link #stop} nothing more runs on it.
 */
public final class JobThread {

    private static final Logger log = LoggerFactory.getLogger(JobThread.class);

    private final String name;
    private final Duration stopWait;
    private volatile ScheduledExecutorService executor;

    /** @param stopWait how long {@link #stop} waits for a running job to finish */
    public JobThread(String name, Duration stopWait) {
        this.name = name;
        this.stopWait = stopWait;
    }

    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(name).daemon().factory());
    }

    /** Runs {@code task} every {@code interval}, first after {@code initialDelay}. */
    public void every(Duration interval, Duration initialDelay, String job, Runnable task) {
        executor.scheduleWithFixedDelay(() -> run(job, task), initialDelay.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} every {@code interval}, first after one interval. */
    public void every(Duration interval, String job, Runnable task) {
        every(interval, interval, job, task);
    }

    /** Runs {@code task} once, soon, on this thread; nothing when stopped. */
    public void submit(String job, Runnable task) {
        ScheduledExecutorService current = executor;
        if (current != null) {
            current.execute(() -> run(job, task));
        }
    }

    /** Runs {@code task} on the caller's thread, logged like a job of this thread when it fails. */
    public void run(String job, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("Job {} of {} failed: {}", job, name, e.getClass().getSimpleName());
        }
    }

    /**
     * Stops taking jobs and waits up to the stop wait for the running one.
     *
     * @return false when it was not running
     */
    public boolean stop() {
        ScheduledExecutorService current = executor;
        executor = null;
        if (current == null) {
            return false;
        }
        current.shutdown();
        try {
            current.awaitTermination(stopWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    public boolean isRunning() {
        return executor != null;
    }
}
