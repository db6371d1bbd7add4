package dev.otpgate.delivery;

/**
 * A provider that can deliver messages for one or more channels ({@code sms}, {@code voice},
 * {@code whatsapp}, {@code email}). Implementations live in their own sub-package, are called from the
 * delivery worker only (never on the request path) and must not log the message text or the full destination.
 */
public interface Channel {

    /** A short, stable provider id for metrics and delivery records, such as {@code smtp} or {@code dev-inbox}. */
    String id();

    /** True when this provider is configured and can deliver messages of {@code channel}. */
    boolean serves(String channel);

    /**
     * Delivers {@code message} or throws. A {@link DeliveryException#permanent() permanent} failure is not
     * retried; any other failure is retried with backoff.
     */
    void send(OutboundMessage message) throws DeliveryException;
}
