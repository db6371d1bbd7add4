package dev.otpgate.delivery.provider;

import java.util.Locale;

/**
 * A rendered message on its way to a provider. {@link #toString()} leaves out the text, the code and the
 * address (S-45).
 *
 * @param appId the app the message is sent for
 * @param channel {@code sms}, {@code voice}, {@code whatsapp} or {@code email}
 * @param to E.164 number or email address
 * @param from the app's sender id (alphanumeric or E.164) for SMS; null: the provider's configured default
 * @param subject the email subject; null for other channels
 * @param text the message as rendered for the channel (for voice: what is said, once)
 * @param html the email's HTML part; null for other channels
 * @param code the code alone, for channels that carry it as a parameter (WhatsApp templates, voice digit by digit)
 * @param locale the message locale, such as {@code en} or {@code pt-BR}
 * @param encoding for SMS: {@code GSM-7} when every character is in the GSM 03.38 alphabet, else {@code UCS-2}
 * @param segments for SMS: how many segments the text takes in that encoding
 * @param reference the verification id and step ({@code vrf_…/2}): one reference is sent once; providers that
 *        accept a client reference get it
 */
public record OutboundMessage(
        String appId,
        String channel,
        String to,
        String from,
        String subject,
        String text,
        String html,
        String code,
        String locale,
        String encoding,
        int segments,
        String reference) {

    /** The language part of the locale: {@code pt} for {@code pt-BR}. */
    public String language() {
        int dash = locale.indexOf('-');
        return (dash < 0 ? locale : locale.substring(0, dash)).toLowerCase(Locale.ROOT);
    }

    public boolean unicode() {
        return "UCS-2".equals(encoding);
    }

    @Override
    public String toString() {
        return "OutboundMessage[" + channel + ", " + reference + "]";
    }
}
