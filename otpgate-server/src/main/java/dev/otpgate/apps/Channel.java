package dev.otpgate.apps;

import dev.otpgate.privacy.Destination;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a code reaches a person. The phone channels ({@link #isPhone()}) travel over the telephone network and are
 * what number-type rules, spend caps and SIM-swap checks are about; WhatsApp reaches a phone number over the
 * internet; email reaches an address. Providers ({@code delivery}) carry one or more channels.
 */
public enum Channel {
    SMS("sms"),
    VOICE("voice"),
    WHATSAPP("whatsapp"),
    EMAIL("email");

    /** Every channel's name, in this order: what {@code allowed_channels} and {@code channel} take. */
    public static final List<String> NAMES = Arrays.stream(values()).map(Channel::value).toList();

    private final String value;

    Channel(String value) {
        this.value = value;
    }

    /** The name used in the API, settings, step records and metrics. */
    public String value() {
        return value;
    }

    /** SMS and voice: billed per message or call over the telephone network, and exposed to a SIM swap. */
    public boolean isPhone() {
        return this == SMS || this == VOICE;
    }

    /** True when this channel can reach {@code destination}: email for addresses, the others for phone numbers. */
    public boolean reaches(Destination destination) {
        return destination.isPhone() != (this == EMAIL);
    }

    public static Optional<Channel> of(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (Channel channel : values()) {
            if (channel.value.equals(value)) {
                return Optional.of(channel);
            }
        }
        return Optional.empty();
    }

    /** For names that were validated when they were stored. */
    public static Channel named(String value) {
        return of(value).orElseThrow(() -> new IllegalArgumentException("unknown channel " + value));
    }

    /** True for the phone channels' names; false for others and for names that are not channels. */
    public static boolean isPhone(String value) {
        return of(value).map(Channel::isPhone).orElse(false);
    }

    @Override
    public String toString() {
        return value.toUpperCase(Locale.ROOT);
    }
}
