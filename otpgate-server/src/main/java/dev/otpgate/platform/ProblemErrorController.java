package dev.otpgate.platform;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's error page: failures the servlet container produces itself (a malformed request, an
 * error in a filter) still answer with a problem, never HTML or a stack trace (S-47). {@code /error} is not a
 * resource of the API: asked for directly, it answers 404 like any unknown path.
 */
@RestController
@Hidden
class ProblemErrorController implements ErrorController {

    private final ProblemWriter writer;
    private final boolean behindProxy;

    ProblemErrorController(ProblemWriter writer, OtpgateProperties properties) {
        this.writer = writer;
        this.behindProxy = properties.tls().behindProxy();
    }

    @RequestMapping("/error")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getDispatcherType() != DispatcherType.ERROR) {
            SecurityHeaders.addMissing(response, request.isSecure() || behindProxy);
            writer.write(response, ApiProblem.notFound("this resource"));
            return;
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value && value >= 400 ? value : 500;
        writer.write(response, ProblemWriter.forStatus(status, status >= 500
                ? "The server failed to handle this request." : "The request could not be handled."));
    }
}
