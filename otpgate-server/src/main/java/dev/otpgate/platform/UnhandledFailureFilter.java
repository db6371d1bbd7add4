package dev.otpgate.platform;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The last barrier before the container: a failure that escapes every filter and Spring MVC's own handling is
 * logged here by class and frames ({@link FailureTrace}) and answered with a 500 problem. Left to Tomcat, it would
 * be logged at ERROR with its message, which can quote the request (S-45), and answered by the error page.
 *
 * <p>A client that went away is not a failure of the server: that is passed on for the container to close.
 */
class UnhandledFailureFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(UnhandledFailureFilter.class);

    private final ProblemWriter problems;
    private final boolean behindProxy;

    UnhandledFailureFilter(ProblemWriter problems, boolean behindProxy) {
        this.problems = problems;
        this.behindProxy = behindProxy;
    }

    /** Error dispatches too: a failure while an error is being answered must not reach Tomcat's logger either. */
    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (IOException e) {
            if (e.getClass().getSimpleName().equals("ClientAbortException")) {
                throw e;
            }
            answer(request, response, e);
        } catch (ServletException | RuntimeException e) {
            answer(request, response, e);
        }
    }

    private void answer(HttpServletRequest request, HttpServletResponse response, Exception e) throws IOException {
        // While an error is being answered (the container refused a request and dispatched to /error), a failure
        // of that answer keeps the status the refusal had: the request was bad, the server is not broken.
        int status = 500;
        if (request.getDispatcherType() == DispatcherType.ERROR
                && request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer refused && refused >= 400) {
            status = refused;
        }
        if (status >= 500) {
            log.error("Unhandled failure ({})", e.getClass().getSimpleName(), FailureTrace.of(e));
        } else {
            log.debug("Failure while answering a refused request ({})", e.getClass().getSimpleName(), FailureTrace.of(e));
        }
        if (!response.isCommitted()) {
            SecurityHeaders.addMissing(response, request.isSecure() || behindProxy);
            ProblemDetail problem = status >= 500
                    ? ProblemWriter.forStatus(500, "The server failed to handle this request.")
                    : ProblemWriter.forStatus(status, null);
            if (status >= 500) {
                problem.setTitle("Internal error");
            }
            problems.write(response, problem);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {

        /** Inside the two refusing filters, outside Spring Security and everything else. */
        @Bean
        FilterRegistrationBean<UnhandledFailureFilter> unhandledFailureFilter(ProblemWriter problems,
                OtpgateProperties properties) {
            FilterRegistrationBean<UnhandledFailureFilter> registration = new FilterRegistrationBean<>(
                    new UnhandledFailureFilter(problems, properties.tls().behindProxy()));
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
            registration.addUrlPatterns("/*");
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ERROR);
            return registration;
        }
    }
}
