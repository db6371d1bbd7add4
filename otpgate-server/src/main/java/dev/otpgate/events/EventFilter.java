package dev.otpgate.events;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The event types an endpoint subscribes to: exact names ({@code verification.approved}), a family
 * ({@code verification.*}) or everything ({@code *}). {@code webhook.test} is never subscribed to: it goes
 * only to the endpoint it is sent to.
 */
record EventFilter(List<String> patterns) {

    EventFilter {
        patterns = List.copyOf(patterns);
    }

    /** The filter, or the reason it is refused (an unknown name or family, none at all). */
    sealed interface Parsed permits Valid, Invalid {}

    record Valid(EventFilter filter) implements Parsed {}

    record Invalid(String reason) implements Parsed {}

    static Parsed parse(List<String> requested) {
        if (requested == null || requested.isEmpty()) {
            return new Invalid("name at least one event type, a family such as verification.*, or *");
        }
        if (requested.size() > 32) {
            return new Invalid("at most 32 entries");
        }
        Set<String> patterns = new LinkedHashSet<>();
        for (String pattern : requested) {
            if (pattern == null || !known(pattern)) {
                return new Invalid("unknown event type " + (pattern == null ? "null" : quote(pattern)));
            }
            patterns.add(pattern);
        }
        return new Valid(new EventFilter(new ArrayList<>(patterns)));
    }

    private static boolean known(String pattern) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.endsWith(".*")) {
            String family = pattern.substring(0, pattern.length() - 1);
            return Arrays.stream(EventType.values())
                    .anyMatch(type -> type != EventType.WEBHOOK_TEST && type.value().startsWith(family));
        }
        return EventType.of(pattern).filter(type -> type != EventType.WEBHOOK_TEST).isPresent();
    }

    private static String quote(String value) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
        return "'" + shown.replaceAll("[^A-Za-z0-9_.*-]", "?") + "'";
    }

    boolean matches(EventType type) {
        if (type == EventType.WEBHOOK_TEST) {
            return false;
        }
        for (String pattern : patterns) {
            if (pattern.equals("*") || pattern.equals(type.value())
                    || (pattern.endsWith(".*") && type.value().startsWith(pattern.substring(0, pattern.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    String stored() {
        return String.join(",", patterns);
    }

    static EventFilter fromStored(String stored) {
        return new EventFilter(Arrays.asList(stored.split(",")));
    }
}
