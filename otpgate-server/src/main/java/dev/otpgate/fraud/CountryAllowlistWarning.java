package dev.otpgate.fraud;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Warns once at start-up about apps that send to every country (S-34), never per request. */
@Component
class CountryAllowlistWarning {

    private static final Logger log = LoggerFactory.getLogger(CountryAllowlistWarning.class);

    private final AppDirectory apps;

    CountryAllowlistWarning(AppDirectory apps) {
        this.apps = apps;
    }

    @EventListener(ApplicationReadyEvent.class)
    void warn() {
        List<String> open = apps.all().stream().filter(app -> app.defences().allowedCountries().isEmpty())
                .map(App::id).toList();
        if (!open.isEmpty()) {
            log.warn("Apps with no destination-country allowlist send SMS and voice to every country; set "
                    + "defences.allowed_countries to limit SMS-pumping exposure: {}", open);
        }
    }
}
