package dev.otpgate.delivery.twilio;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One {@code otpgate.providers.<id>} entry of {@code type: twilio}. {@link #toString()} hides the auth token.
 *
 * @param channels {@code sms} and/or {@code voice}
 * @param from the sending number (E.164); required for voice, and for SMS unless a messaging service is set
 * @param messagingServiceSid a Twilio Messaging Service that picks the sender for SMS
 * @param insecureHttp allow a plain {@code http://} base URL (test peers only; refused in production mode)
 * @param voice the {@code <Say>} voice, such as {@code Polly.Joanna} or {@code alice}; unset: Twilio's default
 * @param sslBundle the Spring Boot SSL bundle ({@code spring.ssl.bundle.*}) whose trust material alone this
 *        provider trusts; unset: the JVM's trust store
 */
record TwilioProperties(
        String type,
        List<String> channels,
        @DefaultValue("100") int priority,
        @DefaultValue("https://api.twilio.com") URI baseUrl,
        String accountSid,
        String authToken,
        String from,
        String messagingServiceSid,
        @DefaultValue("false") boolean insecureHttp,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("10s") Duration readTimeout,
        String voice,
        String sslBundle) {

    @Override
    public String toString() {
        return "TwilioProperties[" + channels + ", " + baseUrl + ", account " + accountSid + "]";
    }
}
