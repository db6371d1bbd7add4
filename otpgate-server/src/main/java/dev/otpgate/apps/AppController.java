package dev.otpgate.apps;

import dev.otpgate.platform.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/apps}: admin keys only (the security chain enforces it). */
@RestController
@RequestMapping(path = "/v1/apps", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Apps", description = "Tenants and their verification settings (admin scope)")
class AppController {

    private final AppService apps;

    AppController(AppService apps) {
        this.apps = apps;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create an app")
    ResponseEntity<AppView> create(@RequestBody AppSettings settings) {
        App app = apps.create(settings);
        return ResponseEntity.created(URI.create("/v1/apps/" + app.id())).body(AppView.of(app));
    }

    @GetMapping
    @Operation(summary = "List apps")
    Map<String, List<AppView>> list() {
        return Map.of("apps", apps.list().stream().map(AppView::of).toList());
    }

    @GetMapping("/{app_id}")
    @Operation(summary = "Read an app")
    AppView get(@PathVariable("app_id") String appId) {
        return AppView.of(apps.find(appId).orElseThrow(() -> ApiProblem.notFound("app")));
    }

    @PatchMapping(path = "/{app_id}", consumes = {MediaType.APPLICATION_JSON_VALUE, "application/merge-patch+json"})
    @Operation(summary = "Change an app's settings; fields left out keep their values")
    AppView update(@PathVariable("app_id") String appId, @RequestBody AppSettings settings) {
        return AppView.of(apps.update(appId, settings));
    }

    @DeleteMapping("/{app_id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete an app with its keys and verifications")
    void delete(@PathVariable("app_id") String appId) {
        apps.delete(appId);
    }

    record AppView(String id, String name, String brand, int codeLength, int codeTtlSeconds, int maxAttempts,
            int maxSends, int resendCooldownSeconds, List<String> allowedChannels, String defaultChannel,
            String locale, int totpSkewSteps, int totpMaxFailures, DeliverySettings delivery, DefenceSettings defences,
            Instant createdAt, Instant updatedAt) {

        static AppView of(App app) {
            return new AppView(app.id(), app.name(), app.brand(), app.codeLength(), app.codeTtlSeconds(),
                    app.maxAttempts(), app.maxSends(), app.resendCooldownSeconds(), app.allowedChannels(),
                    app.defaultChannel(), app.locale(), app.totpSkewSteps(), app.totpMaxFailures(), hideTestCodes(app.delivery()),
                    app.defences(), app.createdAt(), app.updatedAt());
        }

        /** Test destinations are shown masked and without their codes, like every other destination (S-45). */
        private static DeliverySettings hideTestCodes(DeliverySettings delivery) {
            return new DeliverySettings(delivery.defaultWorkflow(), delivery.senderId(), delivery.webotpDomain(),
                    delivery.templates(), delivery.testDestinations().stream()
                            .map(test -> DeliverySettings.TestDestination.of(test.masked(), null)).toList());
        }
    }
}
