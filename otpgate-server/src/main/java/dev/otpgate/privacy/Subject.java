package dev.otpgate.privacy;

import java.util.List;

/**
 * Whose data an erasure or export is about: a destination (its blind indexes under every index key in play, so
 * that rows written before a key rotation are found too) or a TOTP account, within one app or, for an admin,
 * every app ({@code appId == null}).
 */
record Subject(String appId, Destination destination, List<byte[]> indexes, String account) {

    boolean isDestination() {
        return destination != null;
    }

    String kind() {
        return isDestination() ? "destination" : "account";
    }

    @Override
    public String toString() {
        return "Subject[" + kind() + (appId == null ? " instance-wide" : " app " + appId) + "]";
    }
}
