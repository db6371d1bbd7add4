package dev.otpgate.apps;

import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.CacheProperties;
import dev.otpgate.platform.Invalidations;
import dev.otpgate.platform.NodeCache;
import dev.otpgate.platform.Ids;
import dev.otpgate.platform.KeyRing;
import dev.otpgate.privacy.Destination;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import dev.otpgate.privacy.Destinations;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class AppService implements AppDirectory {

    private static final Pattern TEST_CODE = Pattern.compile("[0-9]{4,10}");
    private static final java.util.Base64.Encoder BASE64 = java.util.Base64.getEncoder();

    private final AppRepository repository;
    private final Destinations destinations;
    private final KeyRing keys;
    private final AuditTrail audit;
    private final Clock clock;
    private final Invalidations invalidations;
    /**
     * Apps are read on every start, check and delivery job, and each read parses two JSON documents: each node keeps
     * them, and drops one when any node changes or deletes it.
     */
    private final NodeCache<App> cache;

    AppService(AppRepository repository, Destinations destinations, KeyRing keys, AuditTrail audit, Clock clock,
            Invalidations invalidations, CacheProperties cacheProperties) {
        this.repository = repository;
        this.destinations = destinations;
        this.keys = keys;
        this.audit = audit;
        this.clock = clock;
        this.invalidations = invalidations;
        this.cache = new NodeCache<>(cacheProperties);
        invalidations.subscribe(AppDirectory.CHANGED, cache.dropping((app, id) -> app.id().equals(id)));
    }

    /** Each change to an app commits with its audit row, or neither does. */
    @Transactional
    App create(AppSettings settings) {
        App app = withTestDestinations(settings.applyTo(null, Ids.newId("app"), clock.instant()));
        repository.insert(app);
        audit.record(AuditEntry.success("app.created", app.id(), app.id()).with("name", app.name()));
        return app;
    }

    @Transactional
    App update(String id, AppSettings settings) {
        App current = find(id).orElseThrow(() -> ApiProblem.notFound("app"));
        App changed = withTestDestinations(settings.applyTo(current, id, clock.instant()));
        boolean updated = repository.update(changed);
        invalidations.publish(AppDirectory.CHANGED, id);
        if (!updated) {
            throw ApiProblem.notFound("app");
        }
        audit.record(AuditEntry.success("app.updated", id, id).with("name", changed.name()));
        return changed;
    }

    /**
     * Test destinations as kept: each given one parsed (so every spelling matches), its code checked, and both
     * replaced by the destination's blind index, its masked form and the code's keyed tag (S-40, S-43). Ones
     * kept that way already pass unchanged.
     */
    private App withTestDestinations(App app) {
        List<DeliverySettings.TestDestination> tests = app.delivery().testDestinations();
        if (tests.size() > 20) {
            throw ApiProblem.invalid("delivery.test_destinations", "may hold at most 20 entries");
        }
        List<DeliverySettings.TestDestination> kept = new java.util.ArrayList<>();
        for (int i = 0; i < tests.size(); i++) {
            DeliverySettings.TestDestination test = tests.get(i);
            String field = "delivery.test_destinations[" + i + "]";
            if (test != null && test.sealed()) {
                kept.add(test);
                continue;
            }
            if (test == null || test.to() == null || test.code() == null) {
                throw ApiProblem.invalid(field, "needs to and code");
            }
            Destination destination;
            try {
                destination = destinations.parse(test.to());
            } catch (ApiProblem invalid) {
                throw ApiProblem.invalid(field + ".to", "is not a valid phone number or email address");
            }
            if (!TEST_CODE.matcher(test.code()).matches()) {
                throw ApiProblem.invalid(field + ".code", "must be 4–10 digits");
            }
            kept.add(new DeliverySettings.TestDestination(null, null, BASE64.encodeToString(destinations.index(destination)),
                    destination.masked(), BASE64.encodeToString(keys.codeTag(
                            DeliverySettings.TestDestination.codeInput(app.id(), test.code())))));
        }
        DeliverySettings delivery = app.delivery();
        return new App(app.id(), app.name(), app.brand(), app.codeLength(), app.codeTtlSeconds(), app.maxAttempts(),
                app.maxSends(), app.resendCooldownSeconds(), app.allowedChannels(), app.defaultChannel(), app.locale(),
                app.totpSkewSteps(), app.totpMaxFailures(), new DeliverySettings(delivery.defaultWorkflow(),
                        delivery.senderId(), delivery.webotpDomain(), delivery.templates(), List.copyOf(kept)),
                app.defences(), app.createdAt(), app.updatedAt());
    }

    /** An app stored before test destinations were sealed: sealed now, and written back once. */
    private App sealedTestDestinations(App app) {
        if (app.delivery().testDestinations().stream().allMatch(DeliverySettings.TestDestination::sealed)) {
            return app;
        }
        App sealed = withTestDestinations(app);
        repository.update(sealed);
        return sealed;
    }

    List<App> list() {
        return repository.findAll().stream().map(this::sealedTestDestinations).toList();
    }

    @Transactional
    void delete(String id) {
        boolean deleted = repository.delete(id);
        invalidations.publish(AppDirectory.CHANGED, id);
        if (!deleted) {
            throw ApiProblem.notFound("app");
        }
        audit.record(AuditEntry.success("app.deleted", id, id));
    }

    @Override
    public List<App> all() {
        return list();
    }

    @Override
    public Optional<App> find(String appId) {
        if (!Ids.looksLike("app", appId)) {
            return Optional.empty();
        }
        return cache.get(appId, () -> repository.find(appId).map(this::sealedTestDestinations));
    }
}
