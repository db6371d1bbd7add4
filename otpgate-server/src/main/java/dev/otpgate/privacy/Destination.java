package dev.otpgate.privacy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;

/**
 * A normalised destination: E.164 for phones (so every spelling of one number is one destination), the
 * lower-cased address for email. {@link #toString()} is masked so that a destination in a log line or an
 * exception message never shows in full (S-45).
 *
 * <p>What the rules need to know of a phone number is worked out once, when it is parsed, and travels with it:
 * its region, its number range and its type. Nothing downstream parses the number again.
 *
 * @param regionCode ISO 3166 region of a phone number, {@code null} for email
 * @param prefix the number range: the country code, the national destination code and one digit more, {@code null} for email
 * @param numberType libphonenumber's type of a phone number ({@code MOBILE}, {@code PREMIUM_RATE}, …),
 *        {@code null} for email
 * @param masked the form every response and log line shows ({@code +1 415 ••• ••23}, {@code j•••@e•••.com})
 */
public record Destination(Type type, String value, String regionCode, String prefix, PhoneNumberType numberType,
        String masked) {

    /** A destination without the facts of a parsed number: email addresses, and numbers built by hand in tests. */
    public Destination(Type type, String value, String regionCode) {
        this(type, value, regionCode, null, null, null);
    }

    public Destination {
        if (masked == null && type != null && value != null) {
            masked = Destinations.mask(type, value);
        }
    }

    public enum Type {
        PHONE,
        EMAIL
    }

    @JsonIgnore
    public boolean isPhone() {
        return type == Type.PHONE;
    }

    @Override
    public String toString() {
        return "Destination[" + type + " " + masked() + "]";
    }
}
