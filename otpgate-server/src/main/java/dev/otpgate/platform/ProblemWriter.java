package dev.otpgate.platform;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes problem details from places that run before Spring MVC (security filters, the body limit), so that
 * every failure has the same shape, whoever produced it.
 */
@Component
public class ProblemWriter {

    private final JsonMapper json;

    ProblemWriter(JsonMapper json) {
        this.json = json;
    }

    public void write(HttpServletResponse response, ApiProblem problem) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        // Headers before the body: once the body is flushed they would be dropped.
        if (problem.retryAfter() != null) {
            response.setHeader("Retry-After", Long.toString(problem.retryAfter().toSeconds()));
        }
        problem.headers().forEach(response::setHeader);
        write(response, problem.toProblemDetail());
    }

    public void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        // Also set here because container-level errors (a TRACE refused by Tomcat) skip the header filter; HSTS
        // is left to the callers that know whether the request came over TLS.
        SecurityHeaders.addMissing(response, false);
        json.writeValue(response.getOutputStream(), problem);
    }

    /** A problem for a bare status, typed by {@link ProblemTypes}. */
    public static ProblemDetail forStatus(int status, String detail) {
        HttpStatus httpStatus = HttpStatus.resolve(status);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                httpStatus == null ? HttpStatus.INTERNAL_SERVER_ERROR : httpStatus, detail);
        problem.setType(URI.create(ApiProblem.TYPE_BASE + ProblemTypes.slugFor(problem.getStatus())));
        return problem;
    }
}
