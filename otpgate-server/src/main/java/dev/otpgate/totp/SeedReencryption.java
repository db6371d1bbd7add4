package dev.otpgate.totp;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import dev.otpgate.platform.DataKeyRotated;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.event.EventListener;

/**
 * After a data key rotation, a durable job re-encrypts every seed under the new primary key in batches, without
 * downtime: checks keep working throughout because the old key still decrypts (S-22, S-42).
 */
@Configuration(proxyBeanMethods = false)
class SeedReencryption {

    static final String TASK = "reencrypt-totp-seeds";
    private static final Logger log = LoggerFactory.getLogger(SeedReencryption.class);

    @Bean
    OneTimeTask<String> reencryptSeeds(@Lazy TotpService service) {
        return Tasks.oneTime(TASK, String.class).execute((instance, context) -> {
            String after = "";
            int count = 0;
            List<String> batch;
            while (!(batch = service.factorIdsAfter(after, 200)).isEmpty()) {
                for (String id : batch) {
                    if (service.reencrypt(id)) {
                        count++;
                    }
                }
                after = batch.getLast();
            }
            log.info("Re-encrypted {} TOTP seeds under the current data key", count);
        });
    }

    @Bean
    RotationListener seedRotationListener(@Lazy SchedulerClient scheduler, @Lazy OneTimeTask<String> reencryptSeeds) {
        return new RotationListener(scheduler, reencryptSeeds);
    }

    static class RotationListener {
        private final SchedulerClient scheduler;
        private final OneTimeTask<String> task;

        RotationListener(SchedulerClient scheduler, OneTimeTask<String> task) {
            this.scheduler = scheduler;
            this.task = task;
        }

        @EventListener
        void on(DataKeyRotated rotated) {
            scheduler.scheduleIfNotExists(task.instance("key-" + Integer.toUnsignedString(rotated.primaryKeyId()), ""), Instant.now());
        }
    }
}
