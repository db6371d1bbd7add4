package dev.otpgate.delivery.provider;

/**
 * A provider that can deliver messages for one or more channels ({@code sms}, {@code voice},
 * {@code whatsapp}, {@code email}). Implementations live in their own sub-package, are called from the
 * delivery worker only (never on the request path) and must not log the message text, the code or the full
 * destination (S-45). Providers configured under {@code otpgate.providers.<id>} are contributed through
 * {@link ProviderSource}; fixed ones (SMTP, the dev inbox) are beans of this type.
 */
public interface Provider {

    /** A short, stable provider id for metrics, step records and receipts, such as {@code smtp} or {@code twilio}. */
    String id();

    /** True when this provider is configured and can deliver messages of {@code channel}. */
    boolean serves(String channel);

    /** Lower first: a channel's providers are tried in this order, skipping those cooling off after failures. */
    default int priority() {
        return 100;
    }

    /**
     * Delivers {@code message} or throws. A {@link DeliveryException#permanent() permanent} failure is not
     * retried on this provider; any other failure lets the worker try the next provider, then retry with backoff.
     *
     * @return what the provider said: its message id (receipts refer to it), segments and encoding where known
     */
    SendResult send(OutboundMessage message) throws DeliveryException;
}
