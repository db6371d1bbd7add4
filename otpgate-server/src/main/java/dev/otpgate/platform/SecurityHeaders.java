package dev.otpgate.platform;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The S-37/S-38 headers of an API answer, in one place: the security filter chain writes them on answers the
 * application produces, and {@link ProblemWriter} and {@link ProblemReportValve} write the same ones on answers
 * that the filter chain never sees (an error dispatch, a request the container refuses before routing it).
 */
public final class SecurityHeaders {

    public static final String API_CONTENT_SECURITY_POLICY =
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /** HSTS for one year (S-37), with subdomains. */
    public static final long HSTS_MAX_AGE_SECONDS = 31_536_000;

    private SecurityHeaders() {}

    /**
     * Sets the headers that are still missing, so a stricter value written earlier (such as Swagger UI's
     * policy) is kept. HSTS only over TLS, as RFC 6797 section 7.2 asks.
     */
    public static void addMissing(HttpServletResponse response, boolean secure) {
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        if (!response.containsHeader("Content-Security-Policy")) {
            response.setHeader("Content-Security-Policy", API_CONTENT_SECURITY_POLICY);
        }
        if (!response.containsHeader("X-Frame-Options")) {
            response.setHeader("X-Frame-Options", "DENY");
        }
        if (secure && !response.containsHeader("Strict-Transport-Security")) {
            response.setHeader("Strict-Transport-Security", "max-age=" + HSTS_MAX_AGE_SECONDS + " ; includeSubDomains");
        }
    }
}
