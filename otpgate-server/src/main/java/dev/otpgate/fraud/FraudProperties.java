package dev.otpgate.fraud;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.fraud.*}: the SMS-pumping detector and the price table of the spend caps.
 *
 * @param window the recent window whose starts are compared with the baseline
 * @param baselineWindows how many earlier windows of the same prefix make its baseline (their mean)
 * @param factor a prefix is suspicious when its starts in the window exceed its baseline times this
 * @param minStarts the fewest starts in the window before a prefix or a new country can be flagged
 * @param conversionThreshold approvals ÷ starts below this (with the volume above) is suspicious
 * @param blockDuration how long a block holds in {@code block} mode unless lifted earlier
 * @param sequentialRun this many starts to consecutive numbers of one prefix within {@code sequential-window}
 *        are flagged
 * @param sequentialWindow how long a node remembers the last digits of numbers started
 * @param flushInterval how often counts and spend are written to the database
 * @param evaluateInterval how often the detector runs over the counts
 * @param refreshInterval how often a node reloads blocks and spend written by other nodes
 * @param prices estimated price of one SMS and one voice call by ISO country, and {@code default}
 */
@ConfigurationProperties("otpgate.fraud")
public record FraudProperties(
        @DefaultValue("10m") Duration window,
        @DefaultValue("6") int baselineWindows,
        @DefaultValue("5") double factor,
        @DefaultValue("20") int minStarts,
        @DefaultValue("0.2") double conversionThreshold,
        @DefaultValue("1h") Duration blockDuration,
        @DefaultValue("5") int sequentialRun,
        @DefaultValue("10m") Duration sequentialWindow,
        @DefaultValue("1s") Duration flushInterval,
        @DefaultValue("30s") Duration evaluateInterval,
        @DefaultValue("5s") Duration refreshInterval,
        Map<String, Price> prices) {

    public FraudProperties {
        java.util.Map<String, Price> table = new java.util.HashMap<>();
        table.put("DEFAULT", DEFAULT_PRICE);
        if (prices != null) {
            prices.forEach((country, price) -> table.put(country.toUpperCase(Locale.ROOT), price));
        }
        prices = Map.copyOf(table);
        if (window.isNegative() || window.isZero() || window.toMinutes() < 1) {
            throw new IllegalArgumentException("otpgate.fraud.window must be at least 1m");
        }
        if (baselineWindows < 1 || factor <= 0 || minStarts < 1 || sequentialRun < 2) {
            throw new IllegalArgumentException(
                    "otpgate.fraud.baseline-windows, factor, min-starts must be positive and sequential-run at least 2");
        }
    }

    /** Used when the table names no {@code default}: 0.05 per SMS, 0.10 per call. */
    static final Price DEFAULT_PRICE = new Price(new BigDecimal("0.05"), new BigDecimal("0.10"));

    /** @param sms price of one SMS; @param voice price of one call; null falls back to {@code default} */
    public record Price(BigDecimal sms, BigDecimal voice) {}

    /** The estimated price of one send on {@code channel} to {@code country}; zero for other channels. */
    BigDecimal price(String country, String channel) {
        Price specific = country == null ? null : prices.get(country.toUpperCase(Locale.ROOT));
        Price fallback = prices.get("DEFAULT");
        BigDecimal value = pick(specific, channel);
        if (value == null) {
            value = pick(fallback, channel);
        }
        if (value == null) {
            value = pick(DEFAULT_PRICE, channel);
        }
        return value == null ? BigDecimal.ZERO : value;
    }

    private static BigDecimal pick(Price price, String channel) {
        if (price == null) {
            return null;
        }
        return switch (channel) {
            case "sms" -> price.sms();
            case "voice" -> price.voice();
            default -> null;
        };
    }
}
