package dev.otpgate.delivery.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.otpgate.support.Concurrently;
import dev.otpgate.support.PostgresTestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The hand-off's claim, heartbeat and hand-back against real db-scheduler schedulers on PostgreSQL: a row goes to
 * exactly one of many claimants, a row a poller picked (or that ran before) cannot be claimed, a claimed row is
 * left alone by the pollers while it beats, and revived by their dead-execution detection when it stops.
 */
class HandoffJobsTests {

    static DataSource dataSource;
    static JdbcClient jdbc;
    final AtomicInteger runs = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final List<Scheduler> schedulers = new CopyOnWriteArrayList<>();
    final OneTimeTask<String> task = Tasks.oneTime(DeliveryWorker.TASK_NAME, String.class).execute((instance, context) -> {
        runs.incrementAndGet();
        try {
            release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    });
    final HandoffJobs jobs = new HandoffJobs(jdbc, Clock.systemUTC());

    @BeforeAll
    static void database() {
        PostgresTestDatabase.requireReachable();
        dataSource = new DriverManagerDataSource(PostgresTestDatabase.create(), PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(dataSource);
    }

    @AfterEach
    void stopSchedulers() {
        release.countDown();
        schedulers.forEach(Scheduler::stop);
        jdbc.sql("delete from scheduled_tasks").update();
    }

    @Test
    void claimWhenTwentyThreadsRaceForOneRowThenExactlyOneHoldsIt() throws Exception {
        String id = queue(Instant.now().plusSeconds(60));
        List<Optional<HeldJob>> claims = Concurrently.run(20, i -> jobs.claim(id, "node-" + i));
        assertThat(claims).filteredOn(Optional::isPresent).hasSize(1);
        assertThat(claims).filteredOn(Optional::isPresent).first().extracting(Optional::get).extracting(HeldJob::version)
                .isEqualTo(2L);
    }

    @Test
    void claimWhenAPollerPickedTheRowFirstThenItIsLost() {
        String id = queue(Instant.now());
        poller("poller", Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 1);
        assertThat(jobs.claim(id, "node-a")).isEmpty();
    }

    @Test
    void claimWhenTheRowWasHandedBackAfterAFailedTryThenItIsNoFirstRunAndTheSchedulerRunsIt() {
        String id = queue(Instant.now().plusSeconds(60));
        HeldJob held = jobs.claim(id, "node-a").orElseThrow();
        assertThat(jobs.handBack(held, Duration.ofMillis(200))).isTrue();
        assertThat(jdbc.sql("select consecutive_failures from scheduled_tasks where task_instance = ?").param(id)
                .query(Integer.class).single()).isEqualTo(1);
        assertThat(jobs.claim(id, "node-a")).as("a retried row is not a first run").isEmpty();
        assertThat(jobs.heartbeat(held)).as("the handed-back version is no longer held").isFalse();
        poller("poller", Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 1);
    }

    @Test
    void pollWhenAClaimedRowKeepsBeatingThenNoSchedulerRunsItAndWhenItStopsItIsRevived() throws Exception {
        String id = queue(Instant.now());
        HeldJob held = jobs.claim(id, "node-a").orElseThrow();
        // Dead after 4 × 200 ms without a heartbeat.
        poller("poller", Duration.ofMillis(200));
        Instant until = Instant.now().plusSeconds(3);
        while (Instant.now().isBefore(until)) {
            assertThat(jobs.heartbeat(held)).isTrue();
            Thread.sleep(100);
        }
        assertThat(runs.get()).as("a held row that beats is not taken for dead").isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 1);
        assertThat(jobs.heartbeat(held)).as("the revived row is no longer this run's").isFalse();
    }

    @Test
    void releaseWhenTheDispatcherHasNoRoomThenAPollerRunsTheRowBeforeItsGraceAndAHeldRowStaysHeld() {
        String released = queue(Instant.now().plusSeconds(60));
        String held = queue(Instant.now().plusSeconds(60));
        HeldJob claim = jobs.claim(held, "node-a").orElseThrow();
        assertThat(jobs.release(held)).as("a claimed row is not released").isFalse();
        assertThat(jobs.release(released)).isTrue();
        poller("poller", Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 1);
        assertThat(jobs.claim(released, "node-a")).as("the poller has it").isEmpty();
        assertThat(jobs.heartbeat(claim)).as("the claimed row is still node-a's").isTrue();
    }

    private String queue(Instant due) {
        String id = "vrf_" + System.nanoTime() + "-1";
        SchedulerClient client = SchedulerClient.Builder.create(dataSource, task).build();
        client.scheduleBatch(List.<TaskInstance<?>>of(task.instance(id, "data")), due);
        return id;
    }

    private void poller(String name, Duration heartbeat) {
        Scheduler scheduler = Scheduler.create(dataSource, task).schedulerName(new SchedulerName.Fixed(name))
                .pollingInterval(Duration.ofMillis(100)).heartbeatInterval(heartbeat).missedHeartbeatsLimit(4).threads(2)
                .alwaysPersistTimestampInUTC().shutdownMaxWait(Duration.ofSeconds(1)).build();
        schedulers.add(scheduler);
        scheduler.start();
    }
}
