package dev.otpgate.apps;

import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.Ids;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

@Service
class AppService implements AppDirectory {

    private final AppRepository repository;
    private final Clock clock;

    AppService(AppRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    App create(AppSettings settings) {
        App app = settings.applyTo(null, Ids.newId("app"), clock.instant());
        repository.insert(app);
        return app;
    }

    App update(String id, AppSettings settings) {
        App current = find(id).orElseThrow(() -> ApiProblem.notFound("app"));
        App changed = settings.applyTo(current, id, clock.instant());
        if (!repository.update(changed)) {
            throw ApiProblem.notFound("app");
        }
        return changed;
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
