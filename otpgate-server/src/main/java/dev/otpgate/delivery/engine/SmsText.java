package dev.otpgate.delivery.engine;

/**
 * How an SMS text travels: in the GSM 03.38 default alphabet (GSM-7) when every character is in it or in its
 * extension table, else in UCS-2; and how many segments it takes. A single GSM-7 message holds 160 septets, a
 * concatenated one 153 per segment (the user data header takes the rest); an extension character
 * ({@code € [ ] { } \ ~ ^ |} and form feed) takes two septets and is never split across segments. UCS-2 holds
 * 70 UTF-16 units, or 67 per segment when concatenated; a surrogate pair (an emoji) takes two units and is never
 * split.
 */
public final class SmsText {

    public static final String GSM_7 = "GSM-7";
    public static final String UCS_2 = "UCS-2";

    /** The GSM 03.38 default alphabet in code order 0x00–0x7F; 0x1B (the escape to the extension table) is not text. */
    static final String BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    /** The characters of the GSM 03.38 extension table, each sent as escape plus one septet. */
    static final String EXTENSION = "\f^{}\\[~]|€";

    private SmsText() {}

    /** {@code GSM-7} when every character is in the GSM 03.38 alphabet or its extension table, else {@code UCS-2}. */
    public static String encoding(String text) {
        return gsm7(text) ? GSM_7 : UCS_2;
    }

    /** True when the text can be sent in the GSM 03.38 default alphabet. */
    public static boolean gsm7(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (septets(text.charAt(i)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** The length in the text's encoding: septets for GSM-7 (extension characters count two), UTF-16 units for UCS-2. */
    public static int units(String text) {
        if (!gsm7(text)) {
            return text.length();
        }
        int septets = 0;
        for (int i = 0; i < text.length(); i++) {
            septets += septets(text.charAt(i));
        }
        return septets;
    }

    /** How many segments the text takes: 1 up to 160 septets (GSM-7) or 70 units (UCS-2), else 153 or 67 per segment. */
    public static int segments(String text) {
        boolean gsm = gsm7(text);
        int single = gsm ? 160 : 70;
        int part = gsm ? 153 : 67;
        if (units(text) <= single) {
            return 1;
        }
        int segments = 1;
        int used = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int size = gsm ? septets(c) : Character.isHighSurrogate(c) && i + 1 < text.length() ? 2 : 1;
            if (used + size > part) {
                segments++;
                used = 0;
            }
            used += size;
            if (size == 2 && !gsm) {
                i++;
            }
        }
        return segments;
    }

    /** Septets the character takes in GSM-7: 1, 2 for the extension table, 0 when it is not in the alphabet. */
    static int septets(char c) {
        if (c == '\u001B') {
            return 0;
        }
        if (BASIC.indexOf(c) >= 0) {
            return 1;
        }
        return EXTENSION.indexOf(c) >= 0 ? 2 : 0;
    }
}
