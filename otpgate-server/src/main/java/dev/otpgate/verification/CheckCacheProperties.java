package dev.otpgate.verification;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.verification.check-cache.*}: what each node keeps of the pending verifications it wrote, so that a
 * check landing on that node costs one statement ({@link CheckCache}).
 *
 * @param maxEntries the most pending verifications one node keeps; {@code 0} turns the cache off (every check reads
 *        its verification first)
 */
@ConfigurationProperties("otpgate.verification.check-cache")
public record CheckCacheProperties(@DefaultValue("10000") int maxEntries) {

    public CheckCacheProperties {
        if (maxEntries < 0 || maxEntries > 1_000_000) {
            throw new IllegalArgumentException(
                    "otpgate.verification.check-cache.max-entries must be 0-1000000, was " + maxEntries);
        }
    }
}
