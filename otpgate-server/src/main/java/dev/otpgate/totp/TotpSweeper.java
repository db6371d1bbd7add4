package dev.otpgate.totp;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/** Deletes factors that were never activated within 24 hours (one node at a time, every 10 minutes). */
@Configuration(proxyBeanMethods = false)
class TotpSweeper {

    @Bean
    RecurringTask<Void> totpSweep(@Lazy TotpService service) {
        return Tasks.recurring("totp-sweep", FixedDelay.ofMinutes(10))
                .execute((instance, context) -> service.deleteExpiredUnverified());
    }
}
