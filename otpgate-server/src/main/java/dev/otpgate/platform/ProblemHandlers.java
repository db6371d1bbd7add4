package dev.otpgate.platform;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every failure that Spring MVC sees becomes an RFC 9457 problem with a stable type (S-47): our own
 * {@link ApiProblem}s, the framework's 400/404/405/406/413/415, and anything unexpected as a 500 without a
 * stack trace, SQL or class name. Request-body errors name the offending field (S-29).
 */
@RestControllerAdvice
class ProblemHandlers extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandlers.class);

    @ExceptionHandler(ApiProblem.class)
    ResponseEntity<ProblemDetail> apiProblem(ApiProblem problem) {
        return problem.response();
    }

    /** The database is saturated or unreachable: a short, retryable answer and a one-line log, no stack trace. */
    @ExceptionHandler(DataAccessResourceFailureException.class)
    ResponseEntity<ProblemDetail> databaseUnavailable(DataAccessResourceFailureException e) {
        ApiProblem problem = ApiProblem.unavailable();
        log.warn("Database unavailable: {}", e.getClass().getSimpleName());
        return apiProblem(problem);
    }

    /**
     * A request the container or the firewall could not read after all (a malformed parameter in a form body, a
     * header value the firewall refuses): the client's fault, so 400, and not logged, because these exceptions
     * quote the offending value. {@link MalformedRequestFilter} refuses most of them before they arise.
     */
    @ExceptionHandler({InvalidParameterException.class, RequestRejectedException.class})
    ResponseEntity<ProblemDetail> unreadableRequest(Exception e) {
        return apiProblem(new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                "the request carries a parameter or header that cannot be read"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        // Classes and frames only: exception messages quote whatever the failing code held, input included (S-45).
        log.error("Unhandled failure ({})", e.getClass().getSimpleName(), FailureTrace.of(e));
        ProblemDetail problem = ProblemWriter.forStatus(500, "The server failed to handle this request.");
        problem.setTitle("Internal error");
        return ResponseEntity.status(500).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestBodyLimitFilter.BodyTooLargeException tooLarge) {
                return problem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large", tooLarge.getMessage(), List.of());
            }
        }
        JacksonException jackson = findCause(ex, JacksonException.class);
        String detail;
        List<Map<String, String>> errors = new ArrayList<>();
        if (jackson instanceof UnrecognizedPropertyException unknown) {
            String field = path(unknown);
            detail = field + ": unknown or read-only field";
            errors.add(Map.of("field", field, "message", "unknown or read-only field"));
        } else if (jackson instanceof InvalidFormatException || jackson instanceof MismatchedInputException) {
            String field = path(jackson);
            String message = field.isEmpty() ? "the body must be a JSON object" : "wrong type or value";
            detail = (field.isEmpty() ? "body" : field) + ": " + message;
            errors.add(Map.of("field", field.isEmpty() ? "body" : field, "message", message));
        } else if (jackson instanceof StreamReadException && duplicateKey(jackson) != null) {
            // Only the key's name is echoed, never a value.
            String field = duplicateKey(jackson);
            detail = field + ": appears more than once";
            errors.add(Map.of("field", field, "message", "appears more than once"));
        } else if (jackson instanceof StreamReadException) {
            detail = "the body is not well-formed JSON";
        } else {
            detail = "the request body is missing or unreadable";
        }
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail, errors);
    }

    private static final java.util.regex.Pattern DUPLICATE =
            java.util.regex.Pattern.compile("Duplicate (?:Object property|field) \"([a-z0-9_]{1,64})\"");

    /** The key a strict duplicate check refused, when it is one of ours in shape (snake_case, short). */
    private static String duplicateKey(JacksonException e) {
        java.util.regex.Matcher matcher = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        return matcher.find() ? matcher.group(1) : null;
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(error -> Map.of("field", snakeCase(error.getField()),
                        "message", error.getDefaultMessage() == null ? "invalid" : error.getDefaultMessage()))
                .toList();
        String detail = errors.isEmpty() ? "invalid request" : errors.getFirst().get("field") + ": " + errors.getFirst().get("message");
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail, errors);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception ex, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail detail ? detail : ProblemWriter.forStatus(status.value(), null);
        if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
            problem.setType(URI.create(ApiProblem.TYPE_BASE + ProblemTypes.slugFor(status.value())));
        }
        problem.setInstance(null);
        HttpHeaders out = new HttpHeaders();
        if (headers != null) {
            out.putAll(headers);
        }
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return ResponseEntity.status(status).headers(out).body(problem);
    }

    private ResponseEntity<Object> problem(HttpStatus status, String slug, String title, String detail, List<Map<String, String>> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(ApiProblem.TYPE_BASE + slug));
        problem.setTitle(title);
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static String path(JacksonException e) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    static String snakeCase(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
