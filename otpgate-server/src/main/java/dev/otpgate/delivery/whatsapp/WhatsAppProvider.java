package dev.otpgate.delivery.whatsapp;

import dev.otpgate.delivery.provider.ConfiguredProvider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.delivery.provider.SendResult;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import org.springframework.boot.ssl.SslBundles;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * WhatsApp through Meta's Cloud API: an authentication template whose body and copy-code button carry the code,
 * sent with {@code POST {base-url}/{api-version}/{phone-number-id}/messages} and a Bearer access token. Status
 * webhooks signed with the app secret ({@code X-Hub-Signature-256}) become receipts. Failures name Meta's error
 * code only (S-45).
 */
final class WhatsAppProvider extends ConfiguredProvider {

    /** Meta error codes that say this recipient cannot get this message: another try would fail too. */
    private static final Set<Integer> RECIPIENT_ERRORS = Set.of(
            131021, // recipient cannot be the sender
            131026, // message undeliverable (no WhatsApp account, old client, terms not accepted)
            131047, // re-engagement window closed
            131051, // unsupported message type
            131045); // incorrect certificate on the recipient side

    private static final Pattern MESSAGE_ID = Pattern.compile("wamid\\.[A-Za-z0-9+/=_\\-]{1,110}");

    private final WhatsAppProperties settings;
    private final RestClient http;
    private final String path;

    WhatsAppProvider(String id, WhatsAppProperties settings, boolean production) {
        this(id, settings, production, null);
    }

    /** @param bundles the SSL bundles {@code ssl-bundle} names; {@code null}: none defined */
    WhatsAppProvider(String id, WhatsAppProperties settings, boolean production, SslBundles bundles) {
        super(id, List.of("whatsapp"), settings.priority()); // WhatsApp only, whatever channels says
        this.settings = settings;
        this.http = ProviderHttp.client(id, settings.baseUrl(), settings.connectTimeout(), settings.readTimeout(),
                settings.insecureHttp(), production,
                ProviderHttp.sslContext(bundles, "otpgate.providers." + id + ".ssl-bundle", settings.sslBundle()));
        this.path = "/" + settings.apiVersion() + "/" + settings.phoneNumberId() + "/messages";
    }

    /** The template language for a message locale: configured by locale, then by language, else the locale itself. */
    String language(String locale) {
        Map<String, String> languages = settings.languages() == null ? Map.of() : settings.languages();
        String normalized = locale == null || locale.isBlank() ? "en" : locale.replace('_', '-');
        String configured = languages.get(normalized);
        if (configured == null) {
            configured = languages.get(normalized.split("-")[0].toLowerCase(Locale.ROOT));
        }
        return configured != null ? configured : normalized.replace('-', '_');
    }

    Map<String, Object> body(OutboundMessage message) {
        List<Map<String, Object>> code = List.of(Map.of("type", "text", "text", message.code()));
        return Map.of(
                "messaging_product", "whatsapp",
                "recipient_type", "individual",
                "to", message.to().startsWith("+") ? message.to().substring(1) : message.to(),
                "type", "template",
                "template", Map.of(
                        "name", settings.templateName(),
                        "language", Map.of("code", language(message.locale())),
                        "components", List.of(
                                Map.of("type", "body", "parameters", code),
                                Map.of("type", "button", "sub_type", "url", "index", "0", "parameters", code))));
    }

    @Override
    public SendResult send(OutboundMessage message) throws DeliveryException {
        if (message.code() == null || message.code().isBlank()) {
            throw new DeliveryException("whatsapp templates need the code as a parameter", true, null);
        }
        Answer answer;
        try {
            answer = http.post().uri(path)
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + settings.accessToken())
                    .contentType(MediaType.APPLICATION_JSON)
                    .accept(MediaType.APPLICATION_JSON)
                    // Bytes, not a string: the client logs bodies it writes at debug level (S-45).
                    .body(ProviderHttp.JSON.writeValueAsBytes(body(message)))
                    .exchange((request, response) -> new Answer(response.getStatusCode().value(), ProviderHttp.boundedJson(response.getBody())));
        } catch (ResourceAccessException e) {
            throw new DeliveryException("whatsapp: " + ProviderHttp.transportFailure(e), false, null);
        } catch (RuntimeException e) {
            throw new DeliveryException("whatsapp could not be called", false, null);
        }
        if (answer.status() / 100 != 2) {
            throw failure(answer);
        }
        String messageId = null;
        JsonNode messages = answer.json() == null ? null : answer.json().get("messages");
        if (messages != null && messages.isArray() && !messages.isEmpty() && messages.get(0).get("id") != null
                && messages.get(0).get("id").isString()) {
            messageId = messages.get(0).get("id").asString();
        }
        if (messageId == null || !MESSAGE_ID.matcher(messageId).matches()) {
            // S-08: an acceptance we cannot read is not an acceptance.
            throw new DeliveryException("whatsapp answered HTTP " + answer.status() + " without a message id", false, null);
        }
        return SendResult.of(messageId);
    }

    private record Answer(int status, JsonNode json) {}

    private static DeliveryException failure(Answer answer) {
        int status = answer.status();
        Integer code = null;
        JsonNode error = answer.json() == null ? null : answer.json().get("error");
        if (error != null && error.get("code") != null && error.get("code").canConvertToInt()) {
            code = error.get("code").asInt();
        }
        String what = code == null ? "HTTP " + status : "HTTP " + status + ", error " + code;
        if (code != null && RECIPIENT_ERRORS.contains(code)) {
            return new DeliveryException("whatsapp cannot deliver to this recipient (" + what + ")", true, null);
        }
        if (code != null && (code == 190 || status == 401)) {
            return new DeliveryException("whatsapp refused the access token (" + what + ")", false, null);
        }
        if (status == 429 || code != null && Set.of(4, 80007, 130429, 131048, 131056).contains(code)) {
            return new DeliveryException("whatsapp is rate limiting (" + what + ")", false, null);
        }
        if (status >= 500) {
            return new DeliveryException("whatsapp is unavailable (" + what + ")", false, null);
        }
        // Template, permission or account problems: another provider may succeed.
        return new DeliveryException("whatsapp refused the message (" + what + ")", false, null);
    }

    @Override
    public List<DeliveryReceipt> verify(ReceiptRequest request) throws ReceiptRejectedException {
        if (settings.appSecret() == null || settings.appSecret().isBlank()) {
            throw new ReceiptRejectedException("no app-secret is configured, so webhooks cannot be verified");
        }
        String signature = request.header("X-Hub-Signature-256");
        if (signature == null || !signature.startsWith("sha256=")) {
            throw new ReceiptRejectedException("no X-Hub-Signature-256 header");
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(settings.appSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            expected = HexFormat.of().formatHex(mac.doFinal(request.body())).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
        byte[] given = signature.substring(7).strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw new ReceiptRejectedException("the X-Hub-Signature-256 does not match");
        }
        JsonNode root;
        try {
            root = ProviderHttp.JSON.readTree(request.body());
        } catch (RuntimeException e) {
            throw new ReceiptRejectedException("the webhook body is not JSON");
        }
        List<DeliveryReceipt> receipts = new ArrayList<>();
        for (JsonNode entry : root.path("entry")) {
            for (JsonNode change : entry.path("changes")) {
                for (JsonNode status : change.path("value").path("statuses")) {
                    DeliveryReceipt receipt = receipt(status);
                    if (receipt != null) {
                        receipts.add(receipt);
                    }
                }
            }
        }
        return receipts;
    }

    private DeliveryReceipt receipt(JsonNode status) {
        String messageId = status.path("id").asString("");
        if (!MESSAGE_ID.matcher(messageId).matches()) {
            return null;
        }
        DeliveryReceipt.Status outcome = switch (status.path("status").asString("")) {
            case "delivered", "read" -> DeliveryReceipt.Status.DELIVERED;
            case "failed" -> DeliveryReceipt.Status.UNDELIVERED;
            default -> DeliveryReceipt.Status.SENT;
        };
        String reason = null;
        if (outcome == DeliveryReceipt.Status.UNDELIVERED) {
            JsonNode code = status.path("errors").path(0).path("code");
            reason = code.canConvertToInt() ? String.valueOf(code.asInt()) : "failed";
        }
        Instant at = Instant.now();
        String timestamp = status.path("timestamp").asString("");
        if (timestamp.matches("\\d{1,12}")) {
            at = Instant.ofEpochSecond(Long.parseLong(timestamp));
        }
        return new DeliveryReceipt(id, messageId, outcome, reason, at);
    }

    @Override
    public String toString() {
        return "WhatsAppProvider[" + id + "]";
    }
}
