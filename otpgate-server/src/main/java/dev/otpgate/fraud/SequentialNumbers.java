package dev.otpgate.fraud;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Runs of starts to consecutive numbers within one prefix (S-35), per node. It keeps, per app and prefix, only
 * the last three digits of recent numbers and when they were seen, never a whole number; a run of
 * {@code sequential-run} consecutive values within {@code sequential-window} is reported once, and the prefix's
 * memory is then cleared.
 */
@Component
class SequentialNumbers {

    private static final int DIGITS = 1000;
    private static final int MAX_PER_PREFIX = 256;
    private static final int MAX_PREFIXES = 20_000;

    private record Seen(int lastDigits, Instant at) {}

    private final FraudProperties properties;
    private final Map<String, ArrayDeque<Seen>> recent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Seen>> eldest) {
            return size() > MAX_PREFIXES;
        }
    };

    SequentialNumbers(FraudProperties properties, Clock clock) {
        this.properties = properties;
    }

    /** Records a start to {@code number}; true when it completes a run of sequential numbers. */
    synchronized boolean record(String appId, String prefix, String number, Instant now) {
        int digits = Integer.parseInt(number.substring(Math.max(1, number.length() - 3)));
        ArrayDeque<Seen> seen = recent.computeIfAbsent(appId + "|" + prefix, k -> new ArrayDeque<>());
        Instant oldest = now.minus(properties.sequentialWindow());
        for (Iterator<Seen> it = seen.iterator(); it.hasNext(); ) {
            if (it.next().at().isBefore(oldest)) {
                it.remove();
            }
        }
        seen.addLast(new Seen(digits, now));
        while (seen.size() > MAX_PER_PREFIX) {
            seen.removeFirst();
        }
        BitSet values = new BitSet(DIGITS);
        seen.forEach(s -> values.set(s.lastDigits()));
        int low = digits;
        while (low > 0 && values.get(low - 1)) {
            low--;
        }
        int high = digits;
        while (high < DIGITS - 1 && values.get(high + 1)) {
            high++;
        }
        if (high - low + 1 >= properties.sequentialRun()) {
            seen.clear();
            return true;
        }
        return false;
    }
}
