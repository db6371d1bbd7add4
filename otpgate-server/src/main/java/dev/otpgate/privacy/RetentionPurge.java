package dev.otpgate.privacy;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The retention purge ({@code privacy-retention-purge}, a db-scheduler recurring task, on one node at a time):
 * verifications that ended more than {@code otpgate.privacy.retention} ago are counted into the daily
 * aggregates and stripped of their personal data (and dev-inbox messages older than the window deleted), {@code purge-batch} at a time, each batch in a transaction of
 * its own, so a large backlog never holds one long transaction and a crash loses at most the batch in hand.
 */
@Component
public class RetentionPurge {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final PersonalDataRecords records;
    private final PrivacyProperties properties;
    private final TransactionTemplate transactions;
    private final Clock clock;

    RetentionPurge(PersonalDataRecords records, PrivacyProperties properties, TransactionTemplate transactions, Clock clock) {
        this.records = records;
        this.properties = properties;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Strips everything due now; returns how many verifications were stripped. */
    public int purge() {
        Instant now = clock.instant();
        Instant cutoff = now.minus(properties.retention());
        transactions.executeWithoutResult(status -> records.deleteDevMessagesBefore(cutoff));
        int total = purge(null, cutoff, now);
        // Apps with a shorter window of their own: a pass each (the instance's pass took their oldest rows).
        for (Map.Entry<String, Duration> app : records.appRetentions().entrySet()) {
            if (app.getValue().compareTo(properties.retention()) < 0) {
                total += purge(app.getKey(), now.minus(app.getValue()), now);
            }
        }
        if (total > 0) {
            log.info("Retention purge: stripped the personal data of {} verifications past their retention window", total);
        }
        return total;
    }

    private int purge(String appId, Instant cutoff, Instant now) {
        int total = 0;
        while (true) {
            Integer stripped = transactions.execute(status -> {
                List<PersonalDataRecords.Ended> batch = records.endedBefore(appId, cutoff, properties.purgeBatch());
                return records.strip(batch, now).verifications();
            });
            total += stripped;
            if (stripped < properties.purgeBatch()) {
                return total;
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Schedule {

        @Bean
        RecurringTask<Void> privacyRetentionPurgeTask(@Lazy RetentionPurge purge, PrivacyProperties properties) {
            return Tasks.recurring("privacy-retention-purge", FixedDelay.of(properties.purgeInterval()))
                    .execute((instance, context) -> purge.purge());
        }
    }
}
