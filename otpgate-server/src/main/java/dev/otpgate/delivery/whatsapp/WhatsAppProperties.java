package dev.otpgate.delivery.whatsapp;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One {@code otpgate.providers.<id>} entry of {@code type: whatsapp-cloud}. {@link #toString()} hides the access
 * token and the app secret.
 *
 * @param phoneNumberId the WhatsApp Business phone number id messages are sent from
 * @param templateName an approved authentication template with a copy-code button
 * @param languages template language codes by message locale ({@code pt-BR: pt_BR}, {@code en: en_US}); a locale
 *        not listed is tried by its language, then sent as is with {@code -} turned into {@code _}
 * @param appSecret the Meta app secret that signs status webhooks ({@code X-Hub-Signature-256}); unset: receipts
 *        for this provider are refused
 * @param sslBundle the Spring Boot SSL bundle ({@code spring.ssl.bundle.*}) whose trust material alone this
 *        provider trusts; unset: the JVM's trust store
 */
record WhatsAppProperties(
        String type,
        List<String> channels,
        @DefaultValue("100") int priority,
        @DefaultValue("https://graph.facebook.com") URI baseUrl,
        @DefaultValue("v21.0") String apiVersion,
        String phoneNumberId,
        String accessToken,
        String templateName,
        Map<String, String> languages,
        String appSecret,
        @DefaultValue("false") boolean insecureHttp,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("10s") Duration readTimeout,
        String sslBundle) {

    @Override
    public String toString() {
        return "WhatsAppProperties[" + baseUrl + ", " + apiVersion + ", phone number id " + phoneNumberId + ", template "
                + templateName + "]";
    }
}
