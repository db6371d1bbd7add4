package dev.otpgate.apps;

import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.platform.ApiProblem;
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
    /**
     * Apps are read on every start, check and delivery job, and each read parses two JSON documents. A node keeps
     * what it read for one second; its own changes apply at once, another node's within that second.
     */
    private static final long CACHE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final int CACHE_MAX = 10_000;

    private record Cached(App app, long loadedAt) {}

    private final java.util.Map<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private static final java.util.Base64.Encoder BASE64 = java.util.Base64.getEncoder();

    private final AppRepository repository;
    private final Destinations destinations;
    private final KeyRing keys;
    private final AuditTrail audit;
    private final Clock clock;

    AppService(AppRepository repository, Destinations destinations, KeyRing keys, AuditTrail audit, Clock clock) {
        this.repository = repository;
        this.destinations = destinations;
        this.keys = keys;
        this.audit = audit;
        this.clock = clock;
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
        cache.remove(id);
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
        cache.remove(id);
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
        long now = System.nanoTime();
        Cached cached = cache.get(appId);
        if (cached != null && now - cached.loadedAt() < CACHE_NANOS) {
            return Optional.of(cached.app());
        }
        Optional<App> app = repository.find(appId).map(this::sealedTestDestinations);
        if (app.isPresent()) {
            if (cache.size() >= CACHE_MAX) {
                cache.clear();
            }
            cache.put(appId, new Cached(app.get(), now));
        } else {
            cache.remove(appId);
        }
        return app;
    }
}
