package dev.otpgate.delivery.dev;

import dev.otpgate.platform.ApiProblem;
import dev.otpgate.privacy.Destinations;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/dev/messages}: admin keys only, embedded mode only (404 when the dev inbox is off). It shows
 * messages in full, codes included: that is what the dev inbox is for.
 */
@RestController
@ConditionalOnProperty(name = "otpgate.dev-inbox.enabled", havingValue = "true", matchIfMissing = true)
@Tag(name = "Dev inbox", description = "Messages kept instead of sent, embedded mode only (admin scope)")
class DevInboxController {

    private final DevInboxProvider inbox;
    private final Destinations destinations;

    DevInboxController(DevInboxProvider inbox, Destinations destinations) {
        this.inbox = inbox;
        this.destinations = destinations;
    }

    @GetMapping(path = "/v1/dev/messages", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Read the dev inbox, newest first; to filter by destination, POST /v1/dev/messages/search")
    Map<String, List<DevInboxProvider.Message>> messages(@RequestParam(required = false) String to,
            @RequestParam(defaultValue = "50") int limit) {
        if (to != null) {
            // A destination in a URL ends up in access logs and proxies (S-50).
            throw ApiProblem.personalDataInUrl("to", "POST /v1/dev/messages/search {\"to\": …}");
        }
        return Map.of("messages", inbox.messages(null, checked(limit)));
    }

    record Search(String to, Integer limit) {

        @Override
        public String toString() {
            return "Search[hidden, limit=" + limit + "]";
        }
    }

    @PostMapping(path = "/v1/dev/messages/search", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Read the dev inbox messages to one destination (any spelling), newest first")
    Map<String, List<DevInboxProvider.Message>> search(@RequestBody Search search) {
        int limit = checked(search.limit() == null ? 50 : search.limit());
        return Map.of("messages", inbox.messages(destinations.parse(search.to()).value(), limit));
    }

    private static int checked(int limit) {
        if (limit < 1 || limit > 1000) {
            throw ApiProblem.invalid("limit", "must be 1–1000");
        }
        return limit;
    }
}
