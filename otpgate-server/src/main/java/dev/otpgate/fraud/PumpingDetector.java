package dev.otpgate.fraud;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.fraud.FraudRepository.CountRow;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The volume rules of S-35, run in the background over the shared per-minute counts:
 * <ul>
 * <li>{@code volume-spike}: a prefix's starts in the last window are at least {@code min-starts} and exceed its
 * baseline (the mean of the {@code baseline-windows} windows before) times {@code factor}, while its conversion
 * (approvals ÷ starts) is below {@code conversion-threshold};
 * <li>{@code new-country}: a country the app first sent to within the window, while it had sent to other
 * countries before, received at least {@code min-starts} starts with conversion below the threshold.
 * </ul>
 * One cause is flagged once per window, and not again within a window of an operator lifting its block.
 */
@Component
class PumpingDetector {

    private final FraudRepository repository;
    private final FraudActions actions;
    private final AppDirectory apps;
    private final FraudProperties properties;
    private final Clock clock;

    PumpingDetector(FraudRepository repository, FraudActions actions, AppDirectory apps, FraudProperties properties,
            Clock clock) {
        this.repository = repository;
        this.actions = actions;
        this.apps = apps;
        this.properties = properties;
        this.clock = clock;
    }

    private static final class Tally {
        int starts;
        int approvals;
        int baselineStarts;
        String country;
    }

    synchronized void evaluate() {
        Instant now = clock.instant();
        long minute = now.getEpochSecond() / 60;
        long window = properties.window().toMinutes();
        long windowStart = minute - window + 1;
        long baselineStart = windowStart - window * properties.baselineWindows();
        Instant since = now.minus(properties.window());

        Map<String, Tally> byPrefix = new HashMap<>();
        Map<String, Tally> byCountry = new HashMap<>();
        for (CountRow row : repository.countsSince(baselineStart)) {
            Tally prefix = byPrefix.computeIfAbsent(row.appId() + "|" + row.prefix(), k -> new Tally());
            prefix.country = row.country();
            if (row.minute() >= windowStart) {
                prefix.starts += row.starts();
                prefix.approvals += row.approvals();
                if (row.country() != null) {
                    Tally country = byCountry.computeIfAbsent(row.appId() + "|" + row.country(), k -> new Tally());
                    country.starts += row.starts();
                    country.approvals += row.approvals();
                }
            } else {
                prefix.baselineStarts += row.starts();
            }
        }
        if (byPrefix.isEmpty()) {
            return;
        }
        Set<String> recent = new HashSet<>();
        repository.recentFlags(since).forEach(flag -> recent.add(flag.subject()));
        Map<String, Optional<App>> appCache = new HashMap<>();

        byPrefix.forEach((key, tally) -> {
            String appId = key.substring(0, key.indexOf('|'));
            String prefix = key.substring(key.indexOf('|') + 1);
            double baseline = (double) tally.baselineStarts / properties.baselineWindows();
            if (tally.starts < properties.minStarts() || tally.starts <= baseline * properties.factor()
                    || !lowConversion(tally)) {
                return;
            }
            if (recent.contains(appId + "|volume-spike|" + prefix + "|" + (tally.country != null ? tally.country : ""))) {
                return;
            }
            mode(appCache, appId).ifPresent(mode -> actions.raise(appId, mode, "volume-spike", prefix, tally.country,
                    tally.starts, tally.approvals, baseline, properties.factor()));
        });

        Map<String, Instant> newCountries = repository.countriesFirstSeenSince(since);
        Set<String> established = newCountries.isEmpty() ? Set.of() : repository.appsWithHistoryBefore(since);
        byCountry.forEach((key, tally) -> {
            if (!newCountries.containsKey(key) || !established.contains(key.substring(0, key.indexOf('|')))
                    || tally.starts < properties.minStarts() || !lowConversion(tally)) {
                return;
            }
            String appId = key.substring(0, key.indexOf('|'));
            String country = key.substring(key.indexOf('|') + 1);
            if (recent.contains(appId + "|new-country||" + country)) {
                return;
            }
            mode(appCache, appId).ifPresent(mode -> actions.raise(appId, mode, "new-country", null, country,
                    tally.starts, tally.approvals, 0, properties.factor()));
        });
    }

    /** Deletes counts older than the baseline needs. */
    void sweep() {
        long minute = clock.instant().getEpochSecond() / 60;
        long window = properties.window().toMinutes();
        repository.deleteCountsBefore(minute - window * (properties.baselineWindows() + 1) - 1);
        repository.deleteSpendBefore(FraudLedger.day(clock.instant()).minusDays(2));
    }

    private boolean lowConversion(Tally tally) {
        return (double) tally.approvals / tally.starts < properties.conversionThreshold();
    }

    private Optional<String> mode(Map<String, Optional<App>> cache, String appId) {
        return cache.computeIfAbsent(appId, apps::find).map(app -> app.defences().fraudMode())
                .filter(mode -> !"off".equals(mode));
    }
}
