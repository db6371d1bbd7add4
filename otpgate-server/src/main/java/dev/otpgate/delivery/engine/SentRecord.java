package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.delivery.SentStepWrite;
import dev.otpgate.delivery.StepStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The record of a sent (or test) step, in one statement on PostgreSQL: the {@code delivery_steps} upsert, the
 * other modules' {@link SentStepWrite}s and, for a job held by the hand-off, the removal of its job row, as
 * data-modifying {@code WITH} clauses of that upsert. H2 has no data-modifying {@code WITH}, so there they are
 * separate statements. Either way the caller's transaction holds them, with the events published beside them.
 */
@Component
class SentRecord {

    private static final String COLUMNS = "verification_id, step, app_id, channel, provider, provider_message_id, status, reason, "
            + "segments, encoding, providers_tried, queued_at, sent_at, updated_at";
    private static final String VALUES = ":verification_id, :step, :app_id, :channel, :provider, :provider_message_id, :status, "
            + "null, :segments, :encoding, :providers_tried, :queued_at, :at, :at";
    private static final String UPDATE = "update delivery_steps set provider = :provider, provider_message_id = :provider_message_id, "
            + "status = :status, reason = null, segments = :segments, encoding = :encoding, providers_tried = :providers_tried, "
            + "sent_at = :at, updated_at = :at where verification_id = :verification_id and step = :step";

    private final JdbcClient jdbc;
    private final List<SentStepWrite> writes;
    private final boolean postgres;
    private final String upsertWithJob;
    private final String upsertAlone;

    SentRecord(JdbcClient jdbc, DataSource dataSource, List<SentStepWrite> writes) {
        this.jdbc = jdbc;
        this.writes = List.copyOf(writes);
        try (Connection connection = dataSource.getConnection()) {
            this.postgres = "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot tell which database otpgate is connected to", e);
        }
        this.upsertWithJob = upsert(true);
        this.upsertAlone = upsert(false);
    }

    private String upsert(boolean withJob) {
        StringBuilder with = new StringBuilder();
        for (int i = 0; i < writes.size(); i++) {
            with.append(with.isEmpty() ? "with " : ", ").append("w").append(i).append(" as (").append(writes.get(i).sql()).append(")");
        }
        if (withJob) {
            with.append(with.isEmpty() ? "with " : ", ").append("job as (").append(HandoffJobs.DELETE_NAMED).append(")");
        }
        return with + (with.isEmpty() ? "" : " ") + "insert into delivery_steps (" + COLUMNS + ") values (" + VALUES + ") "
                + "on conflict (verification_id, step) do update set provider = excluded.provider, "
                + "provider_message_id = excluded.provider_message_id, status = excluded.status, reason = null, "
                + "segments = excluded.segments, encoding = excluded.encoding, providers_tried = excluded.providers_tried, "
                + "sent_at = excluded.sent_at, updated_at = excluded.updated_at";
    }

    /** Writes the record; {@code job}, when not null, is the hand-off's job row, removed with it. */
    void write(DeliveryRequest request, String provider, String providerMessageId, StepStatus status, Integer segments,
            String encoding, String providersTried, Instant at, HeldJob job) {
        Map<String, Object> params = new HashMap<>();
        params.put("verification_id", request.verificationId());
        params.put("step", request.step());
        params.put("app_id", request.appId());
        params.put("channel", request.channel());
        params.put("provider", provider);
        params.put("provider_message_id", providerMessageId);
        params.put("status", status.value());
        params.put("segments", segments);
        params.put("encoding", encoding);
        params.put("providers_tried", providersTried);
        params.put("queued_at", Timestamp.from(request.queuedAt()));
        params.put("at", Timestamp.from(at));
        if (job != null) {
            params.put("task_name", DeliveryWorker.TASK_NAME);
            params.put("task_instance", job.instanceId());
            params.put("version", job.version());
            params.put("picked_by", job.pickedBy());
        }
        if (postgres) {
            jdbc.sql(job == null ? upsertAlone : upsertWithJob).params(params).update();
            return;
        }
        if (jdbc.sql(UPDATE).params(params).update() == 0) {
            jdbc.sql("insert into delivery_steps (" + COLUMNS + ") values (" + VALUES + ")").params(params).update();
        }
        for (SentStepWrite write : writes) {
            jdbc.sql(write.sql()).params(params).update();
        }
        if (job != null) {
            jdbc.sql(HandoffJobs.DELETE_NAMED).params(params).update();
        }
    }
}
