package dev.otpgate.privacy;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.KeyRing;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/** Parses, seals, opens and masks destinations. */
@Component
public class Destinations {

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    // Deliberately narrower than RFC 5322: what mail providers accept for real mailboxes, no quoting or comments.
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{4,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}");
    /** Providers known to ignore dots in the local part, and the one domain their addresses all reach. */
    private static final java.util.Map<String, String> DOTLESS_DOMAINS = java.util.Map.of(
            "gmail.com", "gmail.com", "googlemail.com", "gmail.com");
    private static final Pattern PHONE_CHARACTERS = Pattern.compile("\\+[0-9 ().\\-]{6,30}");

    private final KeyRing keys;

    Destinations(KeyRing keys) {
        this.keys = keys;
    }

    /**
     * Parses {@code raw} (the {@code to} field) as an email address or an international phone number. Phones
     * must carry their country code and be valid numbers (S-05). Failures name the field {@code to} and never
     * echo the value.
     */
    public Destination parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw ApiProblem.invalid("to", "is required");
        }
        String value = raw.strip();
        if (value.indexOf('@') >= 0) {
            if (value.length() > 254 || !EMAIL.matcher(value).matches() || value.contains("..")) {
                throw ApiProblem.invalid("to", "is not a valid email address");
            }
            return new Destination(Destination.Type.EMAIL, value.toLowerCase(Locale.ROOT), null);
        }
        if (!PHONE_CHARACTERS.matcher(value).matches()) {
            throw ApiProblem.invalid("to", "must be an E.164 phone number (+ and country code) or an email address");
        }
        try {
            PhoneNumber number = PHONES.parse(value, "ZZ");
            if (!PHONES.isValidNumber(number)) {
                throw ApiProblem.invalid("to", "is not a valid phone number");
            }
            return new Destination(Destination.Type.PHONE, PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.E164),
                    PHONES.getRegionCodeForNumber(number), prefix(number), PHONES.getNumberType(number), mask(number));
        } catch (NumberParseException e) {
            throw ApiProblem.invalid("to", "is not a valid phone number");
        }
    }

    /**
     * The number range a phone number belongs to: {@code +}, the country code, the national destination code
     * (area or mobile network code, by libphonenumber) and one digit more, at most 4 national digits and never
     * all but the last 4. Numbers handed out in blocks share it, so SMS-pumping detection and per-prefix limits
     * count by it; it never identifies one person.
     */
    private static String prefix(PhoneNumber number) {
        String national = PHONES.getNationalSignificantNumber(number);
        int length = Math.min(4, Math.max(2, PHONES.getLengthOfNationalDestinationCode(number) + 1));
        length = Math.min(length, Math.max(1, national.length() - 4));
        return "+" + number.getCountryCode() + national.substring(0, length);
    }

    /** Encrypts under the data key, bound to the app, and computes the blind index. */
    public SealedDestination seal(Destination destination, String appId) {
        byte[] plaintext = (destination.type().name() + ":" + destination.value()).getBytes(StandardCharsets.UTF_8);
        return new SealedDestination(keys.encrypt(plaintext, "destination:" + appId), index(destination), destination.masked());
    }

    /**
     * The keyed blind index: equal for every spelling of one destination, whatever the app, and for every alias
     * of one mailbox ({@link #mailbox}), so limits, lockouts and look-ups count them as one (S-33).
     */
    public byte[] index(Destination destination) {
        String value = destination.isPhone() ? destination.value() : mailbox(destination.value());
        return keys.blindIndex(destination.type().name() + ":" + value);
    }

    /**
     * The blind indexes of {@code destination} under every index key in play, the current one first: what a
     * look-up of rows written before an index-key rotation must match.
     */
    public java.util.List<byte[]> indexes(Destination destination) {
        String value = destination.isPhone() ? destination.value() : mailbox(destination.value());
        return keys.blindIndexes(destination.type().name() + ":" + value);
    }

    /** True while more than one index key is in play: limits then count under each. */
    public boolean indexRotationUnderWay() {
        return keys.indexKeyIds().size() > 1;
    }

    /**
     * The mailbox a (lower-cased) address reaches: without its {@code +tag}, and for providers that ignore dots
     * in the local part, without them and on their one domain. Only limits and look-ups use it; the message goes
     * to the address as given.
     */
    static String mailbox(String address) {
        int at = address.lastIndexOf('@');
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        int plus = local.indexOf('+');
        if (plus > 0) {
            local = local.substring(0, plus);
        }
        String dotless = DOTLESS_DOMAINS.get(domain);
        if (dotless != null) {
            local = local.replace(".", "");
            domain = dotless;
        }
        return local + "@" + domain;
    }

    public Destination open(byte[] ciphertext, String appId) {
        String plaintext = new String(keys.decrypt(ciphertext, "destination:" + appId), StandardCharsets.UTF_8);
        int colon = plaintext.indexOf(':');
        Destination.Type type = Destination.Type.valueOf(plaintext.substring(0, colon));
        String value = plaintext.substring(colon + 1);
        return type == Destination.Type.PHONE ? parse(value) : new Destination(type, value, null);
    }

    /**
     * {@code +1 415 ••• ••23} for phones (country code, the first group of longer numbers, the last two
     * digits), {@code j•••@e•••.com} for email.
     */
    static String mask(Destination.Type type, String value) {
        if (type == Destination.Type.EMAIL) {
            int at = value.indexOf('@');
            String domain = value.substring(at + 1);
            int dot = domain.lastIndexOf('.');
            return value.charAt(0) + "•••@" + domain.charAt(0) + "•••" + domain.substring(dot);
        }
        try {
            return mask(PHONES.parse(value, "ZZ"));
        } catch (NumberParseException e) {
            return "+•••";
        }
    }

    private static String mask(PhoneNumber number) {
        String national = PHONES.getNationalSignificantNumber(number);
        String[] groups = PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.INTERNATIONAL)
                .replace('-', ' ').split(" ");
        int keepFirstGroup = national.length() >= 9 && groups.length > 2 ? 1 : 0;
        StringBuilder out = new StringBuilder(groups[0]);
        int digitsLeft = national.length();
        for (int g = 1; g < groups.length; g++) {
            out.append(' ');
            for (char c : groups[g].toCharArray()) {
                if (!Character.isDigit(c)) {
                    out.append(c);
                    continue;
                }
                out.append(g <= keepFirstGroup || digitsLeft <= 2 ? c : '•');
                digitsLeft--;
            }
        }
        return out.toString();
    }
}
