package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.support.ApiClient.Response;

/** What every refusal by the per-destination start limit looks like on the wire. */
final class RateLimitAssertions {

    private RateLimitAssertions() {}

    static void assertRefusedPerDestination(Response refused) {
        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.text("type")).isEqualTo("https://otpgate.dev/problems/rate-limited");
        assertThat(refused.text("policy")).isEqualTo("starts-per-destination");
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 600L);
        assertThat(refused.json().get("retry_after_seconds").asLong()).isEqualTo(retryAfter);
        assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"starts-per-destination\";q=5;w=600");
        assertThat(refused.header("RateLimit")).isEqualTo("\"starts-per-destination\";r=0;t=" + retryAfter);
    }
}
