package dev.otpgate.delivery;

/**
 * A rendered message on its way to a provider. {@link #toString()} leaves out the text and the address, which
 * carry the code and the full destination (S-45).
 *
 * @param reference the verification id and step, for provider-side correlation
 */
public record OutboundMessage(String channel, String to, String subject, String text, String reference) {

    @Override
    public String toString() {
        return "OutboundMessage[" + channel + ", " + reference + "]";
    }
}
