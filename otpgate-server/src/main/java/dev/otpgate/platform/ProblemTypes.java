package dev.otpgate.platform;

/** Stable problem type slugs for failures that carry only an HTTP status. */
final class ProblemTypes {

    private ProblemTypes() {}

    static String slugFor(int status) {
        return switch (status) {
            case 400 -> "invalid-request";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 409 -> "conflict";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 429 -> "rate-limited";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal-error" : "http-" + status;
        };
    }

    /** A title for a bare status: the reason phrase, or a generic one for a status Spring does not name. */
    static String titleFor(int status) {
        return switch (status) {
            case 400 -> "Invalid request";
            case 500 -> "Internal error";
            default -> {
                org.springframework.http.HttpStatus known = org.springframework.http.HttpStatus.resolve(status);
                yield known != null ? known.getReasonPhrase() : status >= 500 ? "Server error" : "Client error";
            }
        };
    }
}
