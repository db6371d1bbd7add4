package dev.otpgate.platform;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/**
 * A failure that reaches the client as an RFC 9457 problem with a stable type
 * ({@code https://otpgate.dev/problems/<slug>}). The detail is written for the client and must never carry a
 * code, key, token or full destination (S-45, S-47).
 */
public class ApiProblem extends RuntimeException {

    public static final String TYPE_BASE = "https://otpgate.dev/problems/";

    private final HttpStatus status;
    private final String slug;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration retryAfter;

    public ApiProblem(HttpStatus status, String slug, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public static ApiProblem notFound(String what) {
        return new ApiProblem(HttpStatus.NOT_FOUND, "not-found", "Not found", what + " does not exist");
    }

    /** 503: the server cannot reach what it needs right now (the database); retry shortly. */
    public static ApiProblem unavailable() {
        return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable",
                "the server is overloaded or its database is unreachable; retry shortly").retryAfter(java.time.Duration.ofSeconds(1));
    }

    public static ApiProblem invalid(String field, String message) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", field + ": " + message)
                .with("errors", java.util.List.of(Map.of("field", field, "message", message)));
    }

    /**
     * 400: personal data (a destination, a TOTP account) was sent in the URL, where access logs and proxies keep
     * it (S-50); {@code instead} names the request that takes it in the body.
     */
    public static ApiProblem personalDataInUrl(String parameter, String instead) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, "personal-data-in-url", "Personal data in URL",
                "the query parameter " + parameter + " is refused: personal data never goes in a URL; use " + instead)
                .with("errors", java.util.List.of(Map.of("field", parameter, "message", "not accepted in the URL")));
    }

    public ApiProblem with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    /** Sets the {@code Retry-After} header and the {@code retry_after_seconds} member. */
    public ApiProblem retryAfter(Duration duration) {
        long seconds = Math.max(1, (duration.toMillis() + 999) / 1000);
        this.retryAfter = Duration.ofSeconds(seconds);
        return with("retry_after_seconds", seconds);
    }

    /** Adds a response header, such as the {@code RateLimit} fields that go with a 429. */
    public ApiProblem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** Extra response headers, {@code Retry-After} excluded. */
    public Map<String, String> headers() {
        return java.util.Collections.unmodifiableMap(headers);
    }

    public HttpStatus status() {
        return status;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public String slug() {
        return slug;
    }

    /**
     * The answer itself: status, {@code Retry-After} and the other headers, and the problem body. A controller that
     * answers an expected refusal (a wrong code) returns this rather than throwing, which spares every such
     * request Spring MVC's exception resolution; {@code ProblemHandlers} answers a thrown one the same way.
     */
    public ResponseEntity<ProblemDetail> response() {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (retryAfter != null) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter.toSeconds()));
        }
        headers.forEach(response::header);
        return response.body(toProblemDetail());
    }

    public ProblemDetail toProblemDetail() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, getMessage());
        problem.setType(URI.create(TYPE_BASE + slug));
        problem.setTitle(title);
        extensions.forEach(problem::setProperty);
        return problem;
    }
}
