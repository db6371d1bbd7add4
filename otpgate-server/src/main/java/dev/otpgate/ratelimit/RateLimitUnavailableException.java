package dev.otpgate.ratelimit;

/**
 * The bucket store (Redis, PostgreSQL) could not be reached or answered with an error. Callers fail closed:
 * a request that cannot be counted is refused (503), never let through.
 */
public class RateLimitUnavailableException extends RuntimeException {

    public RateLimitUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
