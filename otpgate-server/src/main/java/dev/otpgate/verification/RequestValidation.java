package dev.otpgate.verification;

import dev.otpgate.apps.Channel;
import dev.otpgate.platform.ApiProblem;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The shape of verification requests, checked at the edge before anything else runs: each failure is a 400
 * that names the field and never echoes a code or a destination. What the app's settings and the send rules
 * say about a well-formed request is decided behind it.
 */
final class RequestValidation {

    private static final Pattern CODE = Pattern.compile("[0-9]{1,10}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final Pattern TRANSACTION_KEY = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    private static final Pattern LOCALE = Pattern.compile("[a-z]{2,3}(-[A-Z]{2})?");
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern APP_HASH = Pattern.compile("[A-Za-z0-9+/]{11}");

    private RequestValidation() {}

    static String code(String code) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw ApiProblem.invalid("code", "must be the digits of the code");
        }
        return code;
    }

    static String idempotencyKey(String key) {
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ApiProblem.invalid("Idempotency-Key", "must be 1–255 visible ASCII characters");
        }
        return key;
    }

    /** A channel's name, or {@code null} when none was given. */
    static Channel channel(String name) {
        if (name == null) {
            return null;
        }
        return Channel.of(name).orElseThrow(() -> ApiProblem.invalid("channel", "must be one of " + Channel.NAMES));
    }

    static String locale(String locale) {
        if (locale != null && !LOCALE.matcher(locale).matches()) {
            throw ApiProblem.invalid("locale", "must be a language tag such as en or pt-BR");
        }
        return locale;
    }

    /** The 11-character hash of an Android app for the SMS Retriever API. */
    static String appHash(String appHash) {
        if (appHash != null && !APP_HASH.matcher(appHash).matches()) {
            throw ApiProblem.invalid("app_hash", "must be the 11-character hash of an Android app");
        }
        return appHash;
    }

    /** At most 8 entries, snake_case keys, short printable values: they are shown in the message (S-11). */
    static TreeMap<String, String> transaction(Map<String, String> transaction) {
        if (transaction == null) {
            return null;
        }
        if (transaction.isEmpty() || transaction.size() > 8) {
            throw ApiProblem.invalid("transaction", "must hold 1–8 entries");
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> entry : transaction.entrySet()) {
            if (!TRANSACTION_KEY.matcher(entry.getKey()).matches()) {
                throw ApiProblem.invalid("transaction", "keys must be snake_case, 1–32 characters");
            }
            String value = entry.getValue();
            if (value == null || value.isBlank() || value.length() > 100 || value.chars().anyMatch(Character::isISOControl)) {
                throw ApiProblem.invalid("transaction." + entry.getKey(), "must be 1–100 printable characters");
            }
            sorted.put(entry.getKey(), value.strip());
        }
        return sorted;
    }

    static String ip(String field, String ip) {
        if (ip == null) {
            return null;
        }
        if (IPV4.matcher(ip).matches() || (ip.indexOf(':') >= 0 && IPV6.matcher(ip).matches() && parsesAsIpv6(ip))) {
            return ip;
        }
        throw ApiProblem.invalid(field, "must be an IPv4 or IPv6 address");
    }

    private static boolean parsesAsIpv6(String ip) {
        try {
            // Only a literal with ':' reaches here, so no name is resolved.
            return InetAddress.getByName(ip) instanceof Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static String userAgent(String userAgent) {
        if (userAgent != null && (userAgent.length() > 300 || userAgent.chars().anyMatch(Character::isISOControl))) {
            throw ApiProblem.invalid("end_user.user_agent", "must be at most 300 printable characters");
        }
        return userAgent;
    }
}
