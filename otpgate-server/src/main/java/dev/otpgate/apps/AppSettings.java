package dev.otpgate.apps;

import dev.otpgate.platform.ApiProblem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The settings of an app as a client sends them: every field optional, so the same record serves create
 * (missing fields take defaults) and PATCH (missing fields stay as they are). Field names are those of the API.
 */
record AppSettings(
        String name,
        String brand,
        Integer codeLength,
        Integer codeTtlSeconds,
        Integer maxAttempts,
        Integer maxSends,
        Integer resendCooldownSeconds,
        List<String> allowedChannels,
        String defaultChannel,
        String locale,
        Integer totpSkewSteps,
        Integer totpMaxFailures,
        DeliverySettings delivery,
        DefenceSettings defences) {

    private static final Pattern PRINTABLE = Pattern.compile("[\\p{L}\\p{N} .,'&()_\\-]+");
    private static final Pattern LOCALE = Pattern.compile("[a-z]{2,3}(-[A-Z]{2})?");

    /** Applies these settings over {@code base} (or the defaults when creating), validating every field. */
    App applyTo(App base, String id, java.time.Instant now) {
        String newName = name != null ? text("name", name, 100) : base == null ? null : base.name();
        if (newName == null) {
            throw ApiProblem.invalid("name", "is required");
        }
        String newBrand = brand != null ? text("brand", brand, 40)
                : base != null ? base.brand() : newName.length() > 40 ? newName.substring(0, 40) : newName;
        int length = range("code_length", codeLength, base == null ? 6 : base.codeLength(), 6, 10);
        int ttl = range("code_ttl_seconds", codeTtlSeconds, base == null ? 600 : base.codeTtlSeconds(), 30, 600);
        int attempts = range("max_attempts", maxAttempts, base == null ? 5 : base.maxAttempts(), 1, 10);
        int sends = range("max_sends", maxSends, base == null ? 5 : base.maxSends(), 1, 10);
        int cooldown = range("resend_cooldown_seconds", resendCooldownSeconds,
                base == null ? 30 : base.resendCooldownSeconds(), 0, 600);
        List<String> channels = allowedChannels != null ? channels(allowedChannels)
                : base == null ? List.of("sms") : base.allowedChannels();
        String defaultOne = defaultChannel != null ? defaultChannel
                : base != null && channels.contains(base.defaultChannel()) ? base.defaultChannel() : channels.getFirst();
        if (!channels.contains(defaultOne)) {
            throw ApiProblem.invalid("default_channel", "must be one of allowed_channels " + channels);
        }
        String newLocale = locale != null ? locale(locale) : base == null ? "en" : base.locale();
        int skew = range("totp_skew_steps", totpSkewSteps, base == null ? 1 : base.totpSkewSteps(), 0, 2);
        int totpFailures = range("totp_max_failures", totpMaxFailures, base == null ? 5 : base.totpMaxFailures(), 1, 20);
        DeliverySettings newDelivery = delivery != null ? delivery.applyTo(base == null ? null : base.delivery(), channels)
                : base != null ? base.delivery() : DeliverySettings.DEFAULTS;
        if (delivery == null && allowedChannels != null) {
            // A narrower channel list must not leave a default workflow step on a channel no longer allowed.
            DeliverySettings.workflow("delivery.default_workflow", newDelivery.defaultWorkflow(), channels);
        }
        DefenceSettings newDefences = defences != null ? defences.applyTo(base == null ? null : base.defences())
                : base != null ? base.defences() : DefenceSettings.DEFAULTS;
        return new App(id, newName, newBrand, length, ttl, attempts, sends, cooldown, channels, defaultOne, newLocale,
                skew, totpFailures, newDelivery, newDefences, base == null ? now : base.createdAt(), now);
    }

    private static String text(String field, String value, int max) {
        String trimmed = value.strip();
        if (trimmed.isEmpty() || trimmed.length() > max) {
            throw ApiProblem.invalid(field, "must be 1–" + max + " characters");
        }
        if (!PRINTABLE.matcher(trimmed).matches()) {
            throw ApiProblem.invalid(field, "may hold letters, digits, spaces and . , ' & ( ) _ - only");
        }
        return trimmed;
    }

    private static int range(String field, Integer value, int fallback, int min, int max) {
        int result = value == null ? fallback : value;
        if (result < min || result > max) {
            throw ApiProblem.invalid(field, "must be " + min + "–" + max + ", was " + result);
        }
        return result;
    }

    private static List<String> channels(List<String> values) {
        if (values.isEmpty()) {
            throw ApiProblem.invalid("allowed_channels", "must name at least one channel");
        }
        List<String> out = new ArrayList<>(new LinkedHashSet<>(values));
        for (String channel : out) {
            if (channel == null || !App.CHANNELS.contains(channel)) {
                throw ApiProblem.invalid("allowed_channels", "each must be one of " + App.CHANNELS);
            }
        }
        return List.copyOf(out);
    }

    private static String locale(String value) {
        if (!LOCALE.matcher(value).matches()) {
            throw ApiProblem.invalid("locale", "must be a language tag such as en or pt-BR");
        }
        return value.toLowerCase(Locale.ROOT).substring(0, value.indexOf('-') < 0 ? value.length() : value.indexOf('-'))
                + (value.indexOf('-') < 0 ? "" : value.substring(value.indexOf('-')));
    }
}
