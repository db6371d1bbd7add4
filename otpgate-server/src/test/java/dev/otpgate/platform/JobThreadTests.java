package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JobThreadTests {

    @Test
    void aJobThatFailsRunsAgainAtItsNextTurn() throws InterruptedException {
        JobThread thread = new JobThread("job-thread-test", Duration.ofSeconds(1));
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch thirdRun = new CountDownLatch(3);
        thread.start();
        try {
            thread.every(Duration.ofMillis(10), Duration.ZERO, "failing", () -> {
                runs.incrementAndGet();
                thirdRun.countDown();
                throw new IllegalStateException("+14155550123");
            });
            assertThat(thirdRun.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            assertThat(thread.stop()).isTrue();
        }
        assertThat(runs.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void afterStopNothingMoreRunsAndAStopAgainSaysSo() throws InterruptedException {
        JobThread thread = new JobThread("job-thread-test", Duration.ofSeconds(1));
        thread.start();
        CountDownLatch ran = new CountDownLatch(1);
        thread.submit("once", ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(thread.stop()).isTrue();
        assertThat(thread.isRunning()).isFalse();

        AtomicInteger late = new AtomicInteger();
        thread.submit("late", late::incrementAndGet);
        Thread.sleep(50);
        assertThat(late.get()).isZero();
        assertThat(thread.stop()).isFalse();
    }
}
