package dev.otpgate.delivery.dev;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/** Trims the dev inbox to its capacity every 10 seconds, on one node at a time. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "otpgate.dev-inbox.enabled", havingValue = "true", matchIfMissing = true)
class DevInboxTrim {

    @Bean
    RecurringTask<Void> devInboxTrimTask(@Lazy DevInboxProvider inbox) {
        return Tasks.recurring("dev-inbox-trim", FixedDelay.ofSeconds(10)).execute((instance, context) -> inbox.trim());
    }
}
