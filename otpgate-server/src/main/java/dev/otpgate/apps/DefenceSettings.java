package dev.otpgate.apps;

import dev.otpgate.platform.ApiProblem;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An app's abuse and fraud defences. As a request every field is optional (a PATCH keeps what is left out); as
 * stored every field is resolved ({@link #DEFAULTS}).
 *
 * @param allowedCountries ISO 3166 alpha-2 codes phone destinations may be in; empty: every country
 * @param voipAllowed whether VoIP numbers may receive SMS and voice
 * @param simSwap the CAMARA SIM-swap check before phone sends (S-07)
 * @param fraudMode {@code off}, {@code monitor} or {@code block} for SMS-pumping detection (S-35)
 * @param dailyBudget the most the app may spend on SMS and voice in a UTC day, in the price table's currency;
 *        null: no cap
 * @param rateLimitFailOpen when the rate-limit store is unreachable, let starts through instead of 503
 * @param rateLimits per-policy overrides of the instance's rate limits, by policy name
 */
public record DefenceSettings(
        List<String> allowedCountries,
        Boolean voipAllowed,
        SimSwap simSwap,
        String fraudMode,
        BigDecimal dailyBudget,
        Boolean rateLimitFailOpen,
        Map<String, Limit> rateLimits) {

    public static final List<String> FRAUD_MODES = List.of("off", "monitor", "block");
    public static final List<String> SIM_SWAP_ON_ERROR = List.of("fail-closed", "fail-open");
    /** Policies an app may override; the rate-limit module defines what each counts. */
    public static final List<String> RATE_LIMIT_POLICIES = List.of("starts-per-destination", "starts-per-ip",
            "starts-per-api-key", "starts-per-app", "starts-per-country", "starts-per-prefix", "checks-per-ip",
            "checks-per-destination");

    public static final DefenceSettings DEFAULTS = new DefenceSettings(List.of(), true, SimSwap.DEFAULTS, "monitor",
            null, false, Map.of());

    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    /**
     * @param maxAgeHours a swap within this many hours counts (CAMARA {@code maxAge}, 1–2400)
     * @param onError {@code fail-closed} (default: the phone channels are blocked when the check cannot be
     *        made) or {@code fail-open}
     */
    public record SimSwap(Boolean enabled, Integer maxAgeHours, String onError) {

        public static final SimSwap DEFAULTS = new SimSwap(false, 240, "fail-closed");

        SimSwap applyTo(SimSwap base) {
            SimSwap from = base == null ? DEFAULTS : base;
            int age = maxAgeHours != null ? maxAgeHours : from.maxAgeHours;
            if (age < 1 || age > 2400) {
                throw ApiProblem.invalid("defences.sim_swap.max_age_hours", "must be 1–2400");
            }
            String error = onError != null ? onError : from.onError;
            if (!SIM_SWAP_ON_ERROR.contains(error)) {
                throw ApiProblem.invalid("defences.sim_swap.on_error", "must be one of " + SIM_SWAP_ON_ERROR);
            }
            return new SimSwap(enabled != null ? enabled : from.enabled, age, error);
        }
    }

    /** A token bucket: {@code capacity} events per {@code period_seconds}. */
    public record Limit(Integer capacity, Integer periodSeconds) {}

    DefenceSettings applyTo(DefenceSettings base) {
        DefenceSettings from = base == null ? DEFAULTS : base;
        String mode = fraudMode != null ? fraudMode : from.fraudMode;
        if (!FRAUD_MODES.contains(mode)) {
            throw ApiProblem.invalid("defences.fraud_mode", "must be one of " + FRAUD_MODES);
        }
        BigDecimal budget = dailyBudget != null ? dailyBudget : from.dailyBudget;
        if (budget != null && (budget.signum() < 0 || budget.scale() > 4 || budget.precision() > 14)) {
            throw ApiProblem.invalid("defences.daily_budget", "must be a non-negative amount with at most 4 decimals");
        }
        return new DefenceSettings(
                allowedCountries != null ? countries(allowedCountries) : from.allowedCountries,
                voipAllowed != null ? voipAllowed : from.voipAllowed,
                simSwap != null ? simSwap.applyTo(from.simSwap) : from.simSwap,
                mode,
                budget,
                rateLimitFailOpen != null ? rateLimitFailOpen : from.rateLimitFailOpen,
                rateLimits != null ? limits(rateLimits) : from.rateLimits);
    }

    private static List<String> countries(List<String> values) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String value : values) {
            if (value == null || !COUNTRIES.contains(value)) {
                throw ApiProblem.invalid("defences.allowed_countries", "each must be an ISO 3166 alpha-2 code such as US");
            }
            out.add(value);
        }
        return List.copyOf(out);
    }

    private static Map<String, Limit> limits(Map<String, Limit> values) {
        Map<String, Limit> out = new LinkedHashMap<>();
        values.forEach((policy, limit) -> {
            String field = "defences.rate_limits." + policy;
            if (!RATE_LIMIT_POLICIES.contains(policy)) {
                throw ApiProblem.invalid("defences.rate_limits", "keys must be among " + RATE_LIMIT_POLICIES);
            }
            if (limit == null || limit.capacity() == null || limit.capacity() < 1 || limit.capacity() > 1_000_000) {
                throw ApiProblem.invalid(field + ".capacity", "must be 1–1000000");
            }
            if (limit.periodSeconds() == null || limit.periodSeconds() < 1 || limit.periodSeconds() > 86_400) {
                throw ApiProblem.invalid(field + ".period_seconds", "must be 1–86400");
            }
            out.put(policy, limit);
        });
        return Map.copyOf(out);
    }
}
