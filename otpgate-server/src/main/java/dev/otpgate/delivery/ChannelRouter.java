package dev.otpgate.delivery;

import dev.otpgate.delivery.dev.DevInboxChannel;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Picks the provider for a channel: the configured one with the lowest priority, or the dev inbox when no provider is configured
 * and the dev inbox is on (embedded mode), so phone verifications work out of the box.
 */
@Component
class ChannelRouter {

    private final List<Channel> providers;
    private final Optional<DevInboxChannel> devInbox;

    ChannelRouter(List<Channel> channels, List<ChannelProviders> configured, Optional<DevInboxChannel> devInbox) {
        this.providers = java.util.stream.Stream.concat(channels.stream(),
                        configured.stream().flatMap(source -> source.providers().stream()))
                .filter(channel -> !(channel instanceof DevInboxChannel))
                .sorted(java.util.Comparator.comparingInt(Channel::priority))
                .toList();
        this.devInbox = devInbox;
    }

    Optional<Channel> route(String channel) {
        return providers.stream().filter(provider -> provider.serves(channel)).findFirst()
                .or(() -> devInbox.map(Channel.class::cast));
    }
}
