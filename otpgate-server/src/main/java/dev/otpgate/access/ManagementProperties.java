package dev.otpgate.access;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who may read the management port's metrics (S-54). The port itself listens on loopback unless
 * {@code management.server.address} opens it to a scraper's network.
 *
 * @param scrapeToken when set, {@code /actuator/prometheus} answers only requests with
 *        {@code Authorization: Bearer <token>}; health and info stay open for load balancers. At least 32
 *        characters.
 */
@ConfigurationProperties("otpgate.management")
public record ManagementProperties(String scrapeToken) {

    public ManagementProperties {
        if (scrapeToken != null && scrapeToken.isBlank()) {
            scrapeToken = null;
        }
        if (scrapeToken != null && scrapeToken.length() < 32) {
            throw new IllegalArgumentException("otpgate.management.scrape-token must be at least 32 characters, was "
                    + scrapeToken.length());
        }
    }
}
