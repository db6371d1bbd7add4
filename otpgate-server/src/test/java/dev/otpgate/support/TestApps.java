package dev.otpgate.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Fixtures: apps, keys, verifications and their codes, all made through the API itself. */
public final class TestApps {

    private static final Pattern CODE = Pattern.compile("verification code is ([0-9]+)");

    private final ApiClient api;
    private final String adminKey;

    public TestApps(ApiClient api, String adminKey) {
        this.api = api;
        this.adminKey = adminKey;
    }

    public record TestApp(String id, String key) {}

    public TestApp app(Map<String, Object> settings) {
        java.util.Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "Test App"));
        body.putAll(settings);
        ApiClient.Response app = api.post("/v1/apps", adminKey, body);
        assertThat(app.status()).as(app.body()).isEqualTo(201);
        return new TestApp(app.text("id"), key(app.text("id"), List.of()));
    }

    public TestApp app() {
        return app(Map.of());
    }

    public String key(String appId, List<String> scopes) {
        ApiClient.Response key = api.post("/v1/apps/" + appId + "/api-keys", adminKey, Map.of("name", "test", "scopes", scopes));
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        return key.text("secret");
    }

    public String start(TestApp app, String to) {
        ApiClient.Response started = api.post("/v1/verifications", app.key(), Map.of("to", to));
        assertThat(started.status()).as(started.body()).isEqualTo(201);
        return started.text("id");
    }

    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PHONE = new java.util.concurrent.atomic.AtomicInteger();

    private static final int[] AREA_CODES = {201, 202, 212, 213, 305, 312, 415, 512, 617, 702};

    /**
     * A destination no other test of this run uses: North American 555-0100 to 555-0199 numbers, which are
     * reserved for fiction, across ten area codes.
     */
    public static String newPhone() {
        int n = NEXT_PHONE.getAndIncrement() % 1000;
        return String.format("+1%d5550%03d", AREA_CODES[n / 100], 100 + n % 100);
    }

    /** Waits for the {@code count}-th message to {@code to} and returns the code of the newest one. */
    public String codeFor(String to, int count) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            List<String> bodies = messagesTo(to);
            if (bodies.size() >= count) {
                Matcher matcher = CODE.matcher(bodies.getFirst());
                assertThat(matcher.find()).as("a code in the message").isTrue();
                return matcher.group(1);
            }
            sleep(50);
        }
        throw new AssertionError("message " + count + " to the test destination did not arrive within 20 s");
    }

    public String codeFor(String to) {
        return codeFor(to, 1);
    }

    /** Bodies of the dev-inbox messages to {@code to}, newest first. */
    public List<String> messagesTo(String to) {
        ApiClient.Response inbox = api.post("/v1/dev/messages/search", adminKey, Map.of("to", to, "limit", 1000));
        assertThat(inbox.status()).as(inbox.body()).isEqualTo(200);
        List<String> bodies = new java.util.ArrayList<>();
        for (JsonNode message : inbox.json().get("messages")) {
            bodies.add(message.get("body").asString());
        }
        return bodies;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
