package dev.otpgate.delivery.smpp;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One SMPP provider, bound from {@code otpgate.providers.<id>.*} where {@code type} is {@code smpp}.
 * {@link #toString()} leaves out the password (S-45).
 *
 * @param host the SMSC host (required)
 * @param port the SMSC port (required)
 * @param systemId the bind's system id (required)
 * @param password the bind's password (required)
 * @param systemType the bind's system type, often empty
 * @param sourceAddress the sender when the message has no {@code from}
 * @param window how many {@code submit_sm} may await their response at once
 * @param maxSubmitsPerSecond how many {@code submit_sm} the bind sends per second at most
 * @param enquireLinkInterval how often an idle bind sends {@code enquire_link}
 * @param rebindBackoff the wait before the first rebind; doubled after each failure up to {@code rebindBackoffMax}
 * @param rebindBackoffMax the longest wait between rebinds
 * @param responseTimeout how long a bind or a submit waits for its response (and for a window slot)
 * @param priority lower first among a channel's providers
 * @param channels the channels served; SMPP serves {@code sms}
 * @param tls connect with TLS 1.3 or 1.2, checking the SMSC's certificate and host name (S-08)
 * @param sslBundle the Spring Boot SSL bundle ({@code spring.ssl.bundle.*}) whose trust material alone this
 *     provider trusts instead of the JVM's trust store (a private CA), with {@code tls}; as for the HTTP providers
 * @param privateLink the SMSC is reached over a private network or a VPN: lets production mode accept a bind
 *     without TLS, which it otherwise refuses
 */
record SmppProperties(
        String type,
        String host,
        Integer port,
        String systemId,
        String password,
        @DefaultValue("") String systemType,
        String sourceAddress,
        @DefaultValue("10") int window,
        @DefaultValue("100") int maxSubmitsPerSecond,
        @DefaultValue("30s") Duration enquireLinkInterval,
        @DefaultValue("1s") Duration rebindBackoff,
        @DefaultValue("60s") Duration rebindBackoffMax,
        @DefaultValue("10s") Duration responseTimeout,
        @DefaultValue("100") int priority,
        @DefaultValue("sms") List<String> channels,
        @DefaultValue("false") boolean tls,
        String sslBundle,
        @DefaultValue("false") boolean privateLink) {

    /** Fails with the name of the first missing or invalid property under {@code prefix}. */
    SmppProperties validate(String prefix) {
        require(host != null && !host.isBlank(), prefix + ".host");
        require(port != null && port > 0 && port < 65536, prefix + ".port");
        require(systemId != null && !systemId.isBlank(), prefix + ".system-id");
        require(password != null, prefix + ".password");
        // SMPP 3.4 limits (5.2.1, 5.2.2); longer values would be refused by the library in a message quoting them.
        require(systemId.length() <= 15, prefix + ".system-id (at most 15 characters)");
        require(password.length() <= 8, prefix + ".password (at most 8 characters)");
        require(systemType == null || systemType.length() <= 12, prefix + ".system-type (at most 12 characters)");
        require(window > 0, prefix + ".window (must be positive)");
        require(maxSubmitsPerSecond > 0, prefix + ".max-submits-per-second (must be positive)");
        require(!rebindBackoff.isNegative() && !rebindBackoff.isZero(), prefix + ".rebind-backoff (must be positive)");
        require(!responseTimeout.isNegative() && !responseTimeout.isZero(), prefix + ".response-timeout (must be positive)");
        if (sslBundle != null && !tls) {
            throw new IllegalStateException("SMPP provider: " + prefix + ".ssl-bundle is set but " + prefix
                    + ".tls is not true; set both, or neither");
        }
        return this;
    }

    private static void require(boolean ok, String property) {
        if (!ok) {
            throw new IllegalStateException("SMPP provider: " + property + " is required");
        }
    }

    @Override
    public String toString() {
        return "SmppProperties[" + host + ":" + port + ", tls=" + tls + ", window=" + window + ", maxSubmitsPerSecond="
                + maxSubmitsPerSecond + ", channels=" + channels + "]";
    }
}
