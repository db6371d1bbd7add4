package dev.otpgate.fraud;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The active blocks as the start guard sees them: a copy in memory, reloaded every few seconds (blocks other
 * nodes wrote or lifted) and changed at once when this node blocks or lifts. Checking a start reads no table.
 */
@Component
class FraudBlocks {

    private final FraudRepository repository;
    private final Clock clock;
    private volatile List<FraudFlag> active = List.of();

    FraudBlocks(FraudRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    Optional<FraudFlag> blocking(String appId, String prefix, String country, Instant now) {
        for (FraudFlag block : active) {
            if (block.appId().equals(appId) && block.activeAt(now) && block.covers(prefix, country)) {
                return Optional.of(block);
            }
        }
        return Optional.empty();
    }

    synchronized void add(FraudFlag block) {
        List<FraudFlag> next = new ArrayList<>(active);
        next.add(block);
        active = List.copyOf(next);
    }

    synchronized void remove(String id) {
        active = active.stream().filter(block -> !block.id().equals(id)).toList();
    }

    synchronized void refresh() {
        active = List.copyOf(repository.activeBlocks(clock.instant()));
    }
}
