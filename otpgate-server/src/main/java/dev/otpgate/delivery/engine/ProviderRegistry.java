package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.provider.ProviderSource;
import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.dev.DevInboxProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * A channel's providers in the order to try them: by priority, those cooling off after failures last. With
 * no provider configured for a channel, the dev inbox serves it when it is on (embedded mode), so phone
 * verifications work out of the box.
 */
@Component
public class ProviderRegistry {

    private final List<Provider> providers;
    private final Optional<DevInboxProvider> devInbox;
    private final ProviderHealth health;

    ProviderRegistry(List<Provider> channels, List<ProviderSource> configured, Optional<DevInboxProvider> devInbox,
            ProviderHealth health) {
        this.providers = Stream.concat(channels.stream(), configured.stream().flatMap(group -> group.providers().stream()))
                .filter(channel -> !(channel instanceof DevInboxProvider))
                .sorted(Comparator.comparingInt(Provider::priority))
                .toList();
        this.devInbox = devInbox;
        this.health = health;
        long distinct = providers.stream().map(Provider::id).distinct().count();
        if (distinct != providers.size()) {
            throw new IllegalStateException("two providers share one id; every otpgate.providers.<id> must be unique");
        }
    }

    /** Every provider of {@code channel}, healthy ones first, each group by priority. */
    List<Provider> candidates(String channel) {
        List<Provider> serving = providers.stream().filter(provider -> provider.serves(channel)).toList();
        if (serving.isEmpty()) {
            return devInbox.map(inbox -> List.<Provider>of(inbox)).orElse(List.of());
        }
        List<Provider> ordered = new ArrayList<>(serving.stream().filter(p -> !health.coolingOff(p.id())).toList());
        serving.stream().filter(p -> health.coolingOff(p.id())).forEach(ordered::add);
        return ordered;
    }

    public boolean canDeliver(String channel) {
        return !candidates(channel).isEmpty();
    }
}
