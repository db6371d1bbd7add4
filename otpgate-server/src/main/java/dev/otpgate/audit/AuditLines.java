package dev.otpgate.audit;

import java.io.StringWriter;
import java.time.Instant;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON Lines form of rows and checkpoints, shared by every sink and by the export (schema:
 * docs/audit-event.schema.json, {@code schema_version} 1). A row line carries the canonical members plus
 * {@code prev_hash} and {@code hash}; a checkpoint line carries the signed payload as the exact string that was
 * signed, and its signature. An export or a file sink's file is therefore something the offline verifier reads.
 */
final class AuditLines {

    static final String EVENT = "audit_event";
    static final String CHECKPOINT = "audit_checkpoint";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AuditLines() {}

    static String of(AuditRow row) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            generator.writeStartObject();
            generator.writeStringProperty("type", EVENT);
            generator.writeNumberProperty("schema_version", CanonicalForm.VERSION);
            generator.writeNumberProperty("sequence", row.sequence());
            generator.writeStringProperty("time", CanonicalForm.time(row.occurredAt()));
            generator.writeStringProperty("actor", row.actor());
            generator.writeStringProperty("app_id", row.appId());
            generator.writeStringProperty("action", row.action());
            generator.writeStringProperty("target_id", row.targetId());
            generator.writeStringProperty("outcome", row.outcome());
            generator.writeStringProperty("client_address", row.clientAddress());
            generator.writeName("details");
            generator.writeRawValue(row.details());
            generator.writeStringProperty("prev_hash", row.prevHash());
            generator.writeStringProperty("hash", row.hash());
            generator.writeEndObject();
        }
        return out.toString();
    }

    static String of(Checkpoint checkpoint) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            generator.writeStartObject();
            generator.writeStringProperty("type", CHECKPOINT);
            generator.writeNumberProperty("schema_version", CanonicalForm.VERSION);
            generator.writeNumberProperty("id", checkpoint.id());
            generator.writeNumberProperty("sequence", checkpoint.sequence());
            generator.writeStringProperty("kind", checkpoint.kind());
            generator.writeName("purged_through");
            if (checkpoint.purgedThrough() == null) {
                generator.writeNull();
            } else {
                generator.writeNumber(checkpoint.purgedThrough());
            }
            generator.writeStringProperty("time", CanonicalForm.time(checkpoint.createdAt()));
            generator.writeStringProperty("payload", checkpoint.payload());
            generator.writeStringProperty("signature", checkpoint.signature());
            generator.writeEndObject();
        }
        return out.toString();
    }

    /** A parsed line: a row or a checkpoint. */
    sealed interface Line permits RowLine, CheckpointLine {}

    record RowLine(AuditRow row) implements Line {}

    record CheckpointLine(Checkpoint checkpoint) implements Line {}

    /** Parses one line; throws {@link IllegalArgumentException} with a plain sentence when it is not one of ours. */
    static Line parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON");
        }
        String type = text(node, "type");
        if (EVENT.equals(type)) {
            return new RowLine(new AuditRow(node.get("sequence").asLong(), Instant.parse(text(node, "time")),
                    text(node, "actor"), text(node, "app_id"), text(node, "action"), text(node, "target_id"),
                    text(node, "outcome"), text(node, "client_address"), CanonicalForm.details(node.get("details")),
                    text(node, "prev_hash"), text(node, "hash")));
        }
        if (CHECKPOINT.equals(type)) {
            JsonNode purged = node.get("purged_through");
            return new CheckpointLine(new Checkpoint(node.get("id").asLong(), node.get("sequence").asLong(),
                    text(node, "kind"), purged == null || purged.isNull() ? null : purged.asLong(),
                    Instant.parse(text(node, "time")), text(node, "payload"), text(node, "signature")));
        }
        throw new IllegalArgumentException("neither an audit_event nor an audit_checkpoint line");
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asString();
    }
}
