package dev.otpgate.delivery.twilio;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The TwiML of a voice call: the message said twice, slowly, in the message's language, with a pause between.
 * Every value is XML-escaped.
 */
final class TwilioVoice {

    /** Languages {@code <Say>} speaks with region, by the bare language for locales without one. */
    private static final Map<String, String> DEFAULT_REGION = Map.ofEntries(
            Map.entry("ca", "ca-ES"), Map.entry("da", "da-DK"), Map.entry("de", "de-DE"), Map.entry("en", "en-US"),
            Map.entry("es", "es-ES"), Map.entry("fi", "fi-FI"), Map.entry("fr", "fr-FR"), Map.entry("it", "it-IT"),
            Map.entry("ja", "ja-JP"), Map.entry("ko", "ko-KR"), Map.entry("nb", "nb-NO"), Map.entry("no", "nb-NO"),
            Map.entry("nl", "nl-NL"), Map.entry("pl", "pl-PL"), Map.entry("pt", "pt-BR"), Map.entry("ru", "ru-RU"),
            Map.entry("sv", "sv-SE"), Map.entry("zh", "zh-CN"));

    private static final Set<String> REGIONAL = Set.of("da-DK", "de-DE", "en-AU", "en-CA", "en-GB", "en-IN", "en-US",
            "ca-ES", "es-ES", "es-MX", "fi-FI", "fr-CA", "fr-FR", "it-IT", "ja-JP", "ko-KR", "nb-NO", "nl-NL", "pl-PL",
            "pt-BR", "pt-PT", "ru-RU", "sv-SE", "zh-CN", "zh-HK", "zh-TW");

    private TwilioVoice() {}

    /** Twilio's {@code language} for a message locale such as {@code pt-BR} or {@code de}; {@code en-US} otherwise. */
    static String language(String locale) {
        if (locale == null || locale.isBlank()) {
            return "en-US";
        }
        String[] parts = locale.replace('_', '-').split("-");
        String language = parts[0].toLowerCase(Locale.ROOT);
        if (parts.length > 1) {
            String regional = language + "-" + parts[parts.length - 1].toUpperCase(Locale.ROOT);
            if (REGIONAL.contains(regional)) {
                return regional;
            }
        }
        return DEFAULT_REGION.getOrDefault(language, "en-US");
    }

    static String twiml(String text, String locale, String voice) {
        String say = "<Say" + (voice == null || voice.isBlank() ? "" : " voice=\"" + escape(voice) + "\"")
                + " language=\"" + escape(language(locale)) + "\">"
                // SSML prosody is spoken by the Polly voices; the others read plain text.
                + (voice != null && voice.startsWith("Polly.")
                        ? "<prosody rate=\"slow\">" + escape(text) + "</prosody>" : escape(text))
                + "</Say>";
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>" + say + "<Pause length=\"2\"/>" + say + "</Response>";
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        out.append(' ');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
