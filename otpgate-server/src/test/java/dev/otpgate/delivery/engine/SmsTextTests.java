package dev.otpgate.delivery.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GSM 03.38 detection and segment counting, checked against OpenSMPP's independent GSM 7-bit charset. */
class SmsTextTests {

    @Test
    void alphabetWhenCheckedAgainstAnIndependentGsm0338CharsetThenEveryBmpCharacterAgrees() {
        Charset reference = Charset.forName("X-Gsm7Bit");
        List<String> disagreements = new ArrayList<>();
        int basic = 0;
        int extension = 0;
        for (char c = 0; c < Character.MIN_SURROGATE; c++) {
            if (c == '\u001B' || c == '\f') {
                // The escape septet itself is never text. Form feed is 0x1B 0x0A in the 03.38 extension table,
                // which the reference leaves out; it is checked on its own below.
                continue;
            }
            String s = String.valueOf(c);
            byte[] encoded = s.getBytes(reference);
            // The reference replaces what it cannot encode with '?': a character is in the alphabet when it
            // comes back unchanged, and its septet count is the number of bytes (escape + septet for the extension).
            int expected = new String(encoded, reference).equals(s) ? encoded.length : 0;
            if (SmsText.septets(c) != expected) {
                disagreements.add(String.format("U+%04X ours=%d reference=%d", (int) c, SmsText.septets(c), expected));
            }
            basic += expected == 1 ? 1 : 0;
            extension += expected == 2 ? 1 : 0;
        }
        assertThat(disagreements).isEmpty();
        assertThat(basic).isEqualTo(127); // 128 positions less the escape
        assertThat(extension).isEqualTo(9);
        assertThat(SmsText.septets('\f')).isEqualTo(2);
    }

    @Test
    void encodingWhenEveryCharacterIsInTheAlphabetThenGsm7ElseUcs2() {
        assertThat(SmsText.encoding("Acme: your code is 123456. Ça coûte 5€ [ok]")).isEqualTo("UCS-2"); // û is not GSM
        assertThat(SmsText.encoding("Acme: code 123456, 5€ [ok] {x} ~ ^ | \\ Ça è é ù ì ò ß Ω ¿¡")).isEqualTo("GSM-7");
        assertThat(SmsText.encoding("رمز التحقق 123456")).isEqualTo("UCS-2");
        assertThat(SmsText.encoding("验证码 123456")).isEqualTo("UCS-2");
        assertThat(SmsText.encoding("code 123456 😀")).isEqualTo("UCS-2");
        assertThat(SmsText.encoding("ç")).as("only the capital Ç is at 0x09").isEqualTo("UCS-2");
        assertThat(SmsText.encoding("`")).isEqualTo("UCS-2");
    }

    @Test
    void unitsWhenExtensionCharactersOrEmojiThenTheyCountTwo() {
        assertThat(SmsText.units("a€[")).isEqualTo(5);
        assertThat(SmsText.units("{}\\~^|]\f")).isEqualTo(16);
        assertThat(SmsText.units("a😀")).isEqualTo(3);
        assertThat(SmsText.units("验证码")).isEqualTo(3);
    }

    @Test
    void segmentsWhenGsm7Then160FitOne161TakeTwoAnd153PerPart() {
        assertThat(SmsText.segments("")).isEqualTo(1);
        assertThat(SmsText.segments("a".repeat(160))).isEqualTo(1);
        assertThat(SmsText.segments("a".repeat(161))).isEqualTo(2);
        assertThat(SmsText.segments("a".repeat(306))).isEqualTo(2);
        assertThat(SmsText.segments("a".repeat(307))).isEqualTo(3);
        assertThat(SmsText.segments("a".repeat(459))).isEqualTo(3);
        assertThat(SmsText.segments("a".repeat(460))).isEqualTo(4);
    }

    @Test
    void segmentsWhenExtensionCharactersThenTheyCountTwoSeptetsAndAreNotSplit() {
        assertThat(SmsText.segments("€".repeat(80))).isEqualTo(1); // 160 septets
        assertThat(SmsText.segments("a" + "€".repeat(80))).isEqualTo(2); // 161
        assertThat(SmsText.segments("[".repeat(79) + "a".repeat(2))).isEqualTo(1); // 160
        // 152 plain septets then an escape pair: it does not fit in the first part's last septet, so it moves
        // whole to the second; 306 septets that would fit two parts if split take three.
        assertThat(SmsText.segments("a".repeat(152) + "€" + "a".repeat(151))).isEqualTo(2);
        assertThat(SmsText.segments("a".repeat(152) + "€" + "a".repeat(152))).isEqualTo(3);
    }

    @Test
    void segmentsWhenUcs2Then70FitOne71TakeTwoAnd67PerPart() {
        assertThat(SmsText.segments("ж".repeat(70))).isEqualTo(1);
        assertThat(SmsText.segments("ж".repeat(71))).isEqualTo(2);
        assertThat(SmsText.segments("ж".repeat(134))).isEqualTo(2);
        assertThat(SmsText.segments("ж".repeat(135))).isEqualTo(3);
        assertThat(SmsText.segments("😀".repeat(35))).isEqualTo(1); // 70 units
        assertThat(SmsText.segments("a" + "😀".repeat(35))).isEqualTo(2); // 71 units
        // 66 units then a surrogate pair: the pair is not split, it opens the second part; 133 units that would
        // fit two parts if split take three.
        assertThat(SmsText.segments("ж".repeat(66) + "😀" + "ж".repeat(65))).isEqualTo(2);
        assertThat(SmsText.segments("ж".repeat(66) + "😀" + "ж".repeat(66))).isEqualTo(3);
    }
}
