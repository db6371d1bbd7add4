package dev.otpgate.apps;

import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.Ids;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import dev.otpgate.privacy.Destinations;
import org.springframework.stereotype.Service;

@Service
class AppService implements AppDirectory {

    private static final Pattern TEST_CODE = Pattern.compile("[0-9]{4,10}");

    private final AppRepository repository;
    private final Destinations destinations;
    private final Clock clock;

    AppService(AppRepository repository, Destinations destinations, Clock clock) {
        this.repository = repository;
        this.destinations = destinations;
        this.clock = clock;
    }

    App create(AppSettings settings) {
        App app = withTestDestinations(settings.applyTo(null, Ids.newId("app"), clock.instant()));
        repository.insert(app);
        return app;
    }

    App update(String id, AppSettings settings) {
        App current = find(id).orElseThrow(() -> ApiProblem.notFound("app"));
        App changed = withTestDestinations(settings.applyTo(current, id, clock.instant()));
        if (!repository.update(changed)) {
            throw ApiProblem.notFound("app");
        }
        return changed;
    }

    /** Test destinations normalised (so every spelling matches) and their fixed codes checked. */
    private App withTestDestinations(App app) {
        List<DeliverySettings.TestDestination> tests = app.delivery().testDestinations();
        if (tests.size() > 20) {
            throw ApiProblem.invalid("delivery.test_destinations", "may hold at most 20 entries");
        }
        List<DeliverySettings.TestDestination> normalised = new java.util.ArrayList<>();
        for (int i = 0; i < tests.size(); i++) {
            DeliverySettings.TestDestination test = tests.get(i);
            String field = "delivery.test_destinations[" + i + "]";
            if (test == null || test.to() == null || test.code() == null) {
                throw ApiProblem.invalid(field, "needs to and code");
            }
            String to;
            try {
                to = destinations.parse(test.to()).value();
            } catch (ApiProblem invalid) {
                throw ApiProblem.invalid(field + ".to", "is not a valid phone number or email address");
            }
            if (!TEST_CODE.matcher(test.code()).matches()) {
                throw ApiProblem.invalid(field + ".code", "must be 4–10 digits");
            }
            normalised.add(new DeliverySettings.TestDestination(to, test.code()));
        }
        DeliverySettings delivery = app.delivery();
        return new App(app.id(), app.name(), app.brand(), app.codeLength(), app.codeTtlSeconds(), app.maxAttempts(),
                app.maxSends(), app.resendCooldownSeconds(), app.allowedChannels(), app.defaultChannel(), app.locale(),
                app.totpSkewSteps(), app.totpMaxFailures(), new DeliverySettings(delivery.defaultWorkflow(),
                        delivery.senderId(), delivery.webotpDomain(), delivery.templates(), List.copyOf(normalised)),
                app.defences(), app.createdAt(), app.updatedAt());
    }

    List<App> list() {
        return repository.findAll();
    }

    void delete(String id) {
        if (!repository.delete(id)) {
            throw ApiProblem.notFound("app");
        }
    }

    @Override
    public List<App> all() {
        return repository.findAll();
    }

    @Override
    public Optional<App> find(String appId) {
        return Ids.looksLike("app", appId) ? repository.find(appId) : Optional.empty();
    }
}
