package dev.otpgate.platform;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator's contract under {@code otpgate.*}. docs/configuration.md documents every name.
 *
 * @param mode {@code embedded} (the default: generated keys and certificate, dev inbox) or
 *     {@code production} (no generated master key, no dev inbox, no Swagger UI)
 * @param dataDir where the embedded database, the generated TLS material and the key sets live
 * @param publicUrl the base URL providers call back on ({@code https://verify.example.com}); receipt signatures
 *     are checked against it, so they verify behind proxies and TLS termination. Unset: the request's own URL
 */
@ConfigurationProperties("otpgate")
public record OtpgateProperties(
        @DefaultValue("embedded") Mode mode,
        @DefaultValue("./data") Path dataDir,
        @DefaultValue DevInbox devInbox,
        @DefaultValue Limits limits,
        @DefaultValue Tls tls,
        String masterKey,
        String masterKeyPrevious,
        String bootstrapAdminKey,
        java.net.URI publicUrl) {

    public enum Mode {
        EMBEDDED,
        PRODUCTION
    }

    public boolean production() {
        return mode == Mode.PRODUCTION;
    }

    /** @param enabled keep messages sent through the dev channel, readable at {@code GET /v1/dev/messages} */
    /**
     * @param capacity the most messages kept
     * @param retention how long a message is kept at most: the inbox holds codes and destinations in clear
     */
    public record DevInbox(@DefaultValue("true") boolean enabled, @DefaultValue("1000") int capacity,
            @DefaultValue("1h") java.time.Duration retention) {}

    /** @param maxBodyBytes the largest request body accepted; larger ones answer 413 (S-36) */
    public record Limits(@DefaultValue("16384") int maxBodyBytes) {}

    /** @param behindProxy serve plain HTTP because a trusted TLS-terminating proxy sits in front (S-37) */
    public record Tls(@DefaultValue("false") boolean behindProxy) {}
}
