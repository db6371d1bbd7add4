package dev.otpgate.audit;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code otpgate.audit.*}: the trail's checkpoints, retention and sinks.
 *
 * @param checkpointRows a checkpoint is signed after this many rows
 * @param checkpointInterval and at least this often while rows arrive
 * @param retention rows older than this are purged (a year plus margin by default, S-48)
 * @param purgeInterval how often the purge looks for rows past the retention period
 * @param sinkInterval how often each sink is sent what it has not received yet
 * @param rollupInterval bursts (authentication failures, refused receipts) are written as one row per this window
 * @param sinks where rows and checkpoints are delivered besides the database
 */
@ConfigurationProperties("otpgate.audit")
public record AuditProperties(
        @DefaultValue("1000") int checkpointRows,
        @DefaultValue("5m") Duration checkpointInterval,
        @DefaultValue("400d") Duration retention,
        @DefaultValue("1h") Duration purgeInterval,
        @DefaultValue("2s") Duration sinkInterval,
        @DefaultValue("1m") Duration rollupInterval,
        @DefaultValue Sinks sinks) {

    public AuditProperties {
        if (checkpointRows < 1 || checkpointRows > 1_000_000) {
            throw new IllegalArgumentException("otpgate.audit.checkpoint-rows must be 1–1000000, was " + checkpointRows);
        }
        if (checkpointInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("otpgate.audit.checkpoint-interval must be at least 1s, was " + checkpointInterval);
        }
        if (retention.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("otpgate.audit.retention must be at least 1d, was " + retention);
        }
        if (sinkInterval.isNegative() || sinkInterval.isZero() || rollupInterval.isNegative() || rollupInterval.isZero()
                || purgeInterval.isNegative() || purgeInterval.isZero()) {
            throw new IllegalArgumentException("otpgate.audit.sink-interval, rollup-interval and purge-interval must be positive");
        }
    }

    /**
     * @param file a JSON Lines file, appended to (reopened for every batch, so it survives rotation)
     * @param stdout lines through the {@code otpgate.audit} logger, in Spring Boot's (structured) console format
     * @param syslog RFC 5424 over TCP, with TLS when an SSL bundle is named
     */
    public record Sinks(Path file, @DefaultValue("false") boolean stdout, @DefaultValue Syslog syslog) {}

    /**
     * @param host the syslog server; the sink is off without one
     * @param port its TCP port (6514 is syslog over TLS, 514 or 601 plain)
     * @param sslBundle the {@code spring.ssl.bundle} whose trust material checks the server; plain TCP without one
     * @param facility the RFC 5424 facility number (13, log audit, by default)
     * @param appName the APP-NAME field
     */
    public record Syslog(String host, @DefaultValue("6514") int port, String sslBundle, @DefaultValue("13") int facility,
            @DefaultValue("otpgate") String appName, @DefaultValue("10s") Duration timeout) {

        public Syslog {
            if (facility < 0 || facility > 23) {
                throw new IllegalArgumentException("otpgate.audit.sinks.syslog.facility must be 0–23, was " + facility);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("otpgate.audit.sinks.syslog.port must be 1–65535, was " + port);
            }
        }
    }
}
