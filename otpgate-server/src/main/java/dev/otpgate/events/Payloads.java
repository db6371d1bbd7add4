package dev.otpgate.events;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of every event, as Standard Webhooks suggests: {@code type}, {@code timestamp} (when it happened) and
 * {@code data}. Data is thin: identifiers, status, channel, country, number range, times; never a code, seed,
 * key, token or whole destination. Null members are left out.
 */
final class Payloads {

    private Payloads() {}

    static Map<String, Object> envelope(EventType type, Instant occurredAt, Map<String, Object> data) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.value());
        body.put("timestamp", iso(occurredAt));
        body.put("data", data);
        return body;
    }

    /** Alternating names and values; a null value leaves its name out. */
    static Map<String, Object> data(Object... namesAndValues) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            if (value instanceof Instant instant) {
                value = iso(instant);
            }
            if (value != null) {
                data.put((String) namesAndValues[i], value);
            }
        }
        return data;
    }

    /** What is left of a payload too large to send: its identifiers. */
    static Map<String, Object> identifiersOnly(Map<String, Object> data) {
        Map<String, Object> ids = new LinkedHashMap<>();
        data.forEach((name, value) -> {
            if (name.endsWith("_id") || name.equals("status")) {
                ids.put(name, value);
            }
        });
        ids.put("truncated", true);
        return ids;
    }

    static String iso(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }
}
