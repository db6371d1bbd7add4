package dev.otpgate.delivery.vonage;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One Vonage provider's keys under {@code otpgate.providers.<id>.*}. {@link #toString()} hides the secrets.
 *
 * @param from the default sender id, used when the app has none
 * @param signatureSecret the account's signature secret: receipts carry a JWT signed with it (HS256)
 * @param receiptSkew how far a receipt's {@code iat} may be from the server's clock
 * @param sslBundle the Spring Boot SSL bundle ({@code spring.ssl.bundle.*}) whose trust material alone this
 *        provider trusts; unset: the JVM's trust store
 */
record VonageProperties(
        @DefaultValue("vonage") String type,
        @DefaultValue("https://rest.nexmo.com") URI baseUrl,
        String apiKey,
        String apiSecret,
        String from,
        String signatureSecret,
        @DefaultValue("false") boolean insecureHttp,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("10s") Duration readTimeout,
        @DefaultValue("5m") Duration receiptSkew,
        @DefaultValue("100") int priority,
        @DefaultValue("sms") List<String> channels,
        String sslBundle) {

    @Override
    public String toString() {
        return "VonageProperties[baseUrl=" + baseUrl + ", from=" + from + ", channels=" + channels + "]";
    }
}
