package dev.otpgate.audit;

import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The trail's durable jobs (db-scheduler, one node runs each): {@code audit-record} appends a queued security
 * event (retried until it is written), {@code audit-checkpoint} signs a checkpoint when rows arrived and the
 * interval has passed, {@code audit-purge} deletes what is past the retention period.
 */
@Configuration(proxyBeanMethods = false)
class AuditJobs {

    private static final Logger log = LoggerFactory.getLogger(AuditJobs.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Bean
    OneTimeTask<String> auditRecordTask(@Lazy AuditChain chain, TransactionTemplate transactions) {
        return Tasks.oneTime("audit-record", String.class)
                .execute((instance, context) -> transactions.executeWithoutResult(tx -> chain.append(read(instance.getData()))));
    }

    @Bean
    RecurringTask<Void> auditCheckpointTask(@Lazy AuditChain chain, AuditProperties properties) {
        // Asked often enough that a checkpoint is never much later than its interval.
        Duration every = properties.checkpointInterval().dividedBy(5);
        return Tasks.recurring("audit-checkpoint", FixedDelay.of(every.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : every))
                .execute((instance, context) -> chain.checkpointIfDue());
    }

    @Bean
    RecurringTask<Void> auditPurgeTask(@Lazy AuditChain chain, AuditProperties properties) {
        return Tasks.recurring("audit-purge", FixedDelay.of(properties.purgeInterval())).execute((instance, context) -> {
            int deleted = chain.purge();
            if (deleted > 0) {
                log.info("Purged {} audit rows past the retention period of {}", deleted, properties.retention());
            }
        });
    }

    static String write(AuditEntry entry) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("action", entry.action());
        fields.put("outcome", entry.outcome().name());
        fields.put("app_id", entry.appId());
        fields.put("target_id", entry.targetId());
        fields.put("actor", entry.actor());
        fields.put("client_address", entry.clientAddress());
        fields.put("details", entry.details());
        return JSON.writeValueAsString(fields);
    }

    @SuppressWarnings("unchecked")
    static AuditEntry read(String data) {
        JsonNode node = JSON.readTree(data);
        return new AuditEntry(node.get("action").asString(), AuditEntry.Outcome.valueOf(node.get("outcome").asString()),
                text(node, "app_id"), text(node, "target_id"), JSON.convertValue(node.get("details"), Map.class),
                text(node, "actor"), text(node, "client_address"));
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asString();
    }
}
