package dev.otpgate.privacy;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A normalised destination: E.164 for phones (so every spelling of one number is one destination), the
 * lower-cased address for email. {@link #toString()} is masked so that a destination in a log line or an
 * exception message never shows in full (S-45).
 *
 * @param regionCode ISO 3166 region of a phone number, {@code null} for email
 */
public record Destination(Type type, String value, String regionCode) {

    public enum Type {
        PHONE,
        EMAIL
    }

    @JsonIgnore
    public boolean isPhone() {
        return type == Type.PHONE;
    }

    @JsonIgnore
    public String masked() {
        return Destinations.mask(this);
    }

    @Override
    public String toString() {
        return "Destination[" + type + " " + masked() + "]";
    }
}
