package dev.otpgate.simswap;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.apps.Channel;
import dev.otpgate.apps.DefenceSettings;
import dev.otpgate.delivery.SendGate;
import dev.otpgate.privacy.Destination;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The SIM-swap check before an SMS or voice send (S-07). For an app that enables it, a swap within the app's
 * {@code max_age_hours} blocks the phone channels with {@code sim-swap-detected} and publishes
 * {@link SimSwapDetected}. When the check cannot be made (a CAMARA error, a timeout, a malformed answer, no API
 * configured) the app's {@code on_error} decides: {@code fail-closed} blocks with {@code sim-swap-check-failed},
 * {@code fail-open} lets the send go on with a warning. An error never counts as "not swapped" (S-08).
 *
 * <p>It does not look at other channels, other destinations or apps without the check, and it does not act on
 * the decision. Logs and metrics name the app and the verification, never the number (S-45).
 */
class SimSwapGate implements SendGate {

    static final String DETECTED = "sim-swap-detected";
    static final String CHECK_FAILED = "sim-swap-check-failed";

    private static final Logger log = LoggerFactory.getLogger(SimSwapGate.class);
    private static final String METRIC = "otpgate.simswap.checks";

    private final AppDirectory apps;
    private final CamaraSimSwapClient client;
    private final ApplicationEventPublisher events;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Set<String> unconfiguredReported = ConcurrentHashMap.newKeySet();

    /** @param client the CAMARA API; null when {@code otpgate.sim-swap.base-url} is not set */
    SimSwapGate(AppDirectory apps, CamaraSimSwapClient client, ApplicationEventPublisher events, MeterRegistry meters,
            Clock clock) {
        this.apps = apps;
        this.client = client;
        this.events = events;
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public Decision check(String appId, String verificationId, Destination destination, String channel) {
        if (destination == null || !destination.isPhone() || !Channel.isPhone(channel)) {
            return Decision.ALLOW;
        }
        // The check is an app's opt-in; a missing app has none, and the worker has its own answer for it.
        Optional<DefenceSettings.SimSwap> settings = apps.find(appId).map(App::defences).map(DefenceSettings::simSwap);
        if (settings.isEmpty() || !Boolean.TRUE.equals(settings.get().enabled())) {
            return Decision.ALLOW;
        }
        DefenceSettings.SimSwap simSwap = settings.get();
        if (client == null) {
            if (unconfiguredReported.add(appId)) {
                log.error("App {} enables SIM-swap checks but otpgate.sim-swap.base-url is not set; every check of "
                        + "this app is an error ({})", appId, simSwap.onError());
            }
            return failed(appId, verificationId, simSwap, "no SIM Swap API configured");
        }
        boolean swapped;
        try {
            swapped = client.swapped(destination.value(), simSwap.maxAgeHours());
        } catch (SimSwapCheckException e) {
            return failed(appId, verificationId, simSwap, e.getMessage());
        } catch (RuntimeException e) {
            // Unforeseen: still an error under the app's setting, never an approval. Only the type is logged,
            // because a library's message may quote what was sent.
            return failed(appId, verificationId, simSwap, "unexpected " + e.getClass().getName());
        }
        if (swapped) {
            count("swapped", "block");
            log.info("SIM swap within {} h for verification {} of app {}: phone channels blocked",
                    simSwap.maxAgeHours(), verificationId, appId);
            events.publishEvent(new SimSwapDetected(verificationId, appId, clock.instant()));
            return Decision.block(DETECTED);
        }
        count("not-swapped", "allow");
        return Decision.ALLOW;
    }

    private Decision failed(String appId, String verificationId, DefenceSettings.SimSwap simSwap, String why) {
        if ("fail-open".equals(simSwap.onError())) {
            count("error", "allow");
            log.warn("SIM-swap check failed for verification {} of app {} ({}); sending anyway (fail-open)",
                    verificationId, appId, why);
            return Decision.ALLOW;
        }
        count("error", "block");
        log.warn("SIM-swap check failed for verification {} of app {} ({}); phone channels blocked (fail-closed)",
                verificationId, appId, why);
        return Decision.block(CHECK_FAILED);
    }

    private void count(String outcome, String decision) {
        meters.counter(METRIC, "outcome", outcome, "decision", decision).increment();
    }
}
