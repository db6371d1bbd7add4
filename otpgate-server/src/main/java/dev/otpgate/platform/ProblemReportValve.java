package dev.otpgate.platform;

import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's error page, as a problem (S-47) with the API's headers (S-38). It answers what the container refuses
 * before any filter or servlet runs (a request line with {@code %00}, {@code %2f}, a backslash or {@code |}, a
 * header over the size limit or with control bytes, a broken chunked body), and any error status the
 * application left without a body. The body is built from the status alone: nothing of the request is echoed,
 * and the refusal is logged at DEBUG without the request, which can hold a key or a phone number (S-45).
 *
 * <p>Tomcat's 501 (a {@code CONNECT}, or a transfer coding other than chunked) becomes a 400: it is a request the
 * API will never take, not a failure of the server, and a 5xx would page an operator for it.
 */
final class ProblemReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(ProblemReportValve.class);

    /** True behind a TLS-terminating proxy: every client used HTTPS, so HSTS goes on plain-HTTP answers too. */
    private final boolean behindProxy;

    ProblemReportValve() {
        this(false);
    }

    ProblemReportValve(boolean behindProxy) {
        this.behindProxy = behindProxy;
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        if (status == 501) {
            status = 400;
            response.setStatus(status);
        }
        log.debug("The container answered {} before the application could", status);
        try {
            response.resetBuffer();
            // No charset: the body is ASCII, and the type stays exactly what every other problem carries.
            response.setContentType("application/problem+json");
            SecurityHeaders.addMissing(response, request.isSecure() || behindProxy);
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body(status));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client has gone or the response was committed meanwhile: nothing more can be said.
        }
    }

    /** Only constants and the status: no escaping is needed and nothing from the request can leak. */
    static String body(int status) {
        String detail = status >= 500 ? "The server failed to handle this request."
                : status == 400 ? "The request is malformed (its request line, headers, encoding or framing) and was refused before it was read."
                : "The request could not be handled.";
        return "{\"type\":\"" + ApiProblem.TYPE_BASE + ProblemTypes.slugFor(status) + "\",\"title\":\""
                + ProblemTypes.titleFor(status) + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}";
    }
}
