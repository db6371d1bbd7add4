package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.provider.DeliveryReceipt;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Receipts that named no recorded step, kept for a short while by provider and provider message id: an SMSC may
 * send {@code deliver_sm} right behind {@code submit_sm_resp}, and its receipt then overtakes the worker that has
 * yet to store the message id. At most {@code capacity} are kept (the oldest make room), none longer than
 * {@code maxAge}. In memory, on this node only: it does not cover a receipt that reaches another node than the one
 * that sent (an SMSC may use any node's bind, a load balancer may pick any node for a callback), nor a restart
 * in between.
 */
final class EarlyReceipts {

    private record Held(DeliveryReceipt receipt, Instant heldAt) {}

    private final int capacity;
    private final Duration maxAge;
    private final LinkedHashMap<String, Held> held = new LinkedHashMap<>();

    EarlyReceipts(int capacity, Duration maxAge) {
        this.capacity = capacity;
        this.maxAge = maxAge;
    }

    /** Keeps the receipt; a second one for the same message leaves the first in place (the first final word wins). */
    synchronized void hold(DeliveryReceipt receipt, Instant now) {
        expire(now);
        held.putIfAbsent(key(receipt.providerId(), receipt.providerMessageId()), new Held(receipt, now));
        if (held.size() > capacity) {
            Iterator<Map.Entry<String, Held>> oldest = held.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    /** Removes and answers the receipt held for this message, or null; of two callers, one gets it. */
    synchronized DeliveryReceipt take(String providerId, String providerMessageId, Instant now) {
        expire(now);
        Held taken = held.remove(key(providerId, providerMessageId));
        return taken == null ? null : taken.receipt();
    }

    synchronized int size() {
        return held.size();
    }

    private void expire(Instant now) {
        Instant oldestKept = now.minus(maxAge);
        Iterator<Held> entries = held.values().iterator();
        // Insertion order is age order, so the first entry young enough ends the walk.
        while (entries.hasNext()) {
            if (!entries.next().heldAt().isBefore(oldestKept)) {
                return;
            }
            entries.remove();
        }
    }

    private static String key(String providerId, String providerMessageId) {
        // A provider id never holds a newline: the pair cannot collide with another.
        return providerId + "\n" + providerMessageId;
    }
}
