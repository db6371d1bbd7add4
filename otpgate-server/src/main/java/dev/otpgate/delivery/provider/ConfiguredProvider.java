package dev.otpgate.delivery.provider;

import java.util.List;

/**
 * What every provider configured under {@code otpgate.providers.<id>} with receipts of its own shares: its id
 * (also the id of its receipts endpoint), the channels it serves and its priority.
 */
public abstract class ConfiguredProvider implements Provider, ReceiptWebhook {

    protected final String id;
    private final List<String> channels;
    private final int priority;

    protected ConfiguredProvider(String id, List<String> channels, int priority) {
        this.id = id;
        this.channels = List.copyOf(channels);
        this.priority = priority;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String providerId() {
        return id;
    }

    @Override
    public final boolean serves(String channel) {
        return channels.contains(channel);
    }

    @Override
    public final int priority() {
        return priority;
    }
}
