package dev.otpgate.audit;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical forms that are hashed and signed, version 1 (docs/audit-event.schema.json). A row is a JSON object
 * with the members, in this order and without white space: {@code v, sequence, time, actor, app_id, action,
 * target_id, outcome, client_address, details}; absent values are {@code null}; {@code time} is RFC 3339 UTC with
 * at most millisecond precision; {@code details} is an object with its members sorted by name. A checkpoint's
 * payload is {@code v, checkpoint, kind, sequence, head_hash, from_sequence, rows_digest, purged_through, time}.
 *
 * <p>Chain: {@code hash = HMAC-SHA256(audit key, UTF-8(prev_hash + "\n" + canonical row))}, hex, with Tink's key-id
 * prefix; the first row's {@code prev_hash} is {@code genesis}. Digest: starting from 32 zero bytes after each
 * checkpoint, {@code digest = SHA-256(digest || UTF-8(hash) || UTF-8(canonical row))}; the next checkpoint signs it,
 * which is what lets a holder of the public key alone check row contents up to the last checkpoint.
 */
final class CanonicalForm {

    static final int VERSION = 1;
    static final String GENESIS = "genesis";
    static final String ZERO_DIGEST = "0".repeat(64);

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HexFormat HEX = HexFormat.of();

    private CanonicalForm() {}

    static String details(Map<String, Object> details) {
        return JSON.writeValueAsString(new TreeMap<>(details));
    }

    /** Re-serialises details text compactly with sorted members, as {@link #details(Map)} would have. */
    static String details(JsonNode details) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JSON.convertValue(details, Map.class);
        return details(map);
    }

    static String row(AuditRow row) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            generator.writeStartObject();
            generator.writeName("v");
            generator.writeNumber(VERSION);
            generator.writeName("sequence");
            generator.writeNumber(row.sequence());
            string(generator, "time", time(row.occurredAt()));
            string(generator, "actor", row.actor());
            string(generator, "app_id", row.appId());
            string(generator, "action", row.action());
            string(generator, "target_id", row.targetId());
            string(generator, "outcome", row.outcome());
            string(generator, "client_address", row.clientAddress());
            generator.writeName("details");
            generator.writeRawValue(row.details());
            generator.writeEndObject();
        }
        return out.toString();
    }

    static String checkpoint(long id, String kind, long sequence, String headHash, long fromSequence, String rowsDigest,
            Long purgedThrough, Instant time) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            generator.writeStartObject();
            generator.writeName("v");
            generator.writeNumber(VERSION);
            generator.writeName("checkpoint");
            generator.writeNumber(id);
            string(generator, "kind", kind);
            generator.writeName("sequence");
            generator.writeNumber(sequence);
            string(generator, "head_hash", headHash);
            generator.writeName("from_sequence");
            generator.writeNumber(fromSequence);
            string(generator, "rows_digest", rowsDigest);
            generator.writeName("purged_through");
            if (purgedThrough == null) {
                generator.writeNull();
            } else {
                generator.writeNumber(purgedThrough);
            }
            string(generator, "time", time(time));
            generator.writeEndObject();
        }
        return out.toString();
    }

    static byte[] macInput(String prevHash, String canonicalRow) {
        return (prevHash + "\n" + canonicalRow).getBytes(StandardCharsets.UTF_8);
    }

    static String digest(String previous, String hash, String canonicalRow) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(HEX.parseHex(previous));
            sha.update(hash.getBytes(StandardCharsets.UTF_8));
            sha.update(canonicalRow.getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    static byte[] unhex(String hex) {
        return HEX.parseHex(hex);
    }

    private static void string(JsonGenerator generator, String name, String value) {
        generator.writeName(name);
        if (value == null) {
            generator.writeNull();
        } else {
            generator.writeString(value);
        }
    }
}
