package dev.otpgate.delivery.vonage;

import dev.otpgate.delivery.provider.ConfiguredProvider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.delivery.provider.SendResult;
import java.net.URI;
import java.time.Clock;
import org.springframework.boot.ssl.SslBundles;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SMS through Vonage's SMS API ({@code POST /sms/json}), with its delivery receipts verified by the JWT Vonage
 * signs them with. Failure reasons quote Vonage's status code only; the number, the text and the credentials
 * never reach a log line or an exception (S-45).
 */
final class VonageSmsProvider extends ConfiguredProvider {

    private static final Logger log = LoggerFactory.getLogger(VonageSmsProvider.class);
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{1,14}");
    /** Vonage asks to try again later. */
    private static final Set<String> TEMPORARY = Set.of(
            "1", // throttled
            "4", // invalid credentials: another provider may work
            "5", // internal error
            "8", // partner account barred
            "9", // partner quota violation
            "10", // too many existing binds
            "11", // account not enabled for HTTP
            "14", // invalid signature
            "23", // invalid callback URL
            "32"); // signature and API secret disallowed
    /** The message itself cannot be sent through Vonage. */
    private static final Set<String> PERMANENT = Set.of(
            "2", // missing parameters
            "3", // invalid parameters
            "6", // invalid message (unroutable)
            "7", // number barred
            "12", // message too long
            "15", // invalid sender address
            "22", // invalid network code
            "29", // non-whitelisted destination
            "33"); // number de-activated

    private final VonageProperties settings;
    private final RestClient client;
    private final String callbackUrl;
    private final VonageReceipts receipts;
    private final Clock clock;
    private final JsonMapper json = ProviderHttp.JSON;

    VonageSmsProvider(String id, VonageProperties settings, URI publicUrl, boolean production, Clock clock,
            SslBundles bundles) {
        super(id, settings.channels(), settings.priority());
        this.settings = settings;
        this.clock = clock;
        String prefix = "otpgate.providers." + id + ".";
        if (blank(settings.apiKey())) {
            throw new IllegalStateException(prefix + "api-key is required for a vonage provider");
        }
        if (blank(settings.apiSecret())) {
            throw new IllegalStateException(prefix + "api-secret is required for a vonage provider");
        }
        for (String channel : settings.channels()) {
            if (!"sms".equals(channel)) {
                throw new IllegalStateException(prefix + "channels: a vonage provider serves sms only, not " + channel);
            }
        }
        this.client = ProviderHttp.client(id, settings.baseUrl(), settings.connectTimeout(), settings.readTimeout(),
                settings.insecureHttp(), production,
                ProviderHttp.sslContext(bundles, prefix + "ssl-bundle", settings.sslBundle()));
        this.callbackUrl = ProviderHttp.receiptUrl(publicUrl, id);
        this.receipts = new VonageReceipts(id, prefix, settings, clock);
    }

    @Override
    public SendResult send(OutboundMessage message) throws DeliveryException {
        if (message.to() == null || !E164.matcher(message.to()).matches()) {
            throw new DeliveryException("vonage: destination is not an E.164 number", true, null);
        }
        String from = blank(message.from()) ? settings.from() : message.from();
        if (blank(from)) {
            throw new DeliveryException("vonage: no sender configured", true, null);
        }
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("api_key", settings.apiKey());
        form.add("api_secret", settings.apiSecret());
        form.add("from", from);
        form.add("to", message.to().substring(1));
        form.add("text", message.text());
        if (message.unicode()) {
            form.add("type", "unicode");
        }
        if (message.reference() != null) {
            form.add("client-ref", message.reference());
        }
        if (callbackUrl != null) {
            form.add("callback", callbackUrl);
        }
        Response response;
        try {
            response = client.post()
                    .uri("/sms/json")
                    .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                    .accept(MediaType.APPLICATION_JSON)
                    .body(ProviderHttp.formBody(form))
                    .exchange((request, res) -> new Response(res.getStatusCode().value(), ProviderHttp.boundedBody(res.getBody())));
        } catch (RestClientException e) {
            throw new DeliveryException("vonage: " + ProviderHttp.transportFailure(e), false, null);
        }
        if (response == null || response.status() / 100 != 2) {
            int status = response == null ? 0 : response.status();
            log.warn("Vonage provider {} answered HTTP {}", id, status);
            throw new DeliveryException("vonage: HTTP " + status, false, null);
        }
        return parse(response.body(), message);
    }

    private SendResult parse(byte[] body, OutboundMessage message) throws DeliveryException {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw malformed();
        }
        if (root == null || !root.isObject()) {
            throw malformed();
        }
        int count;
        try {
            count = Integer.parseInt(text(root, "message-count"));
        } catch (NumberFormatException e) {
            throw malformed();
        }
        JsonNode messages = root.get("messages");
        if (count < 1 || messages == null || !messages.isArray() || messages.isEmpty()) {
            throw malformed();
        }
        String firstId = null;
        for (JsonNode part : messages) {
            String status = part.isObject() ? text(part, "status") : null;
            if (status == null) {
                throw malformed();
            }
            if (!"0".equals(status)) {
                boolean permanent = PERMANENT.contains(status);
                if (!permanent && !TEMPORARY.contains(status)) {
                    log.warn("Vonage provider {} answered an undocumented status {}", id, status);
                }
                throw new DeliveryException("vonage status " + status, permanent, null);
            }
            String messageId = text(part, "message-id");
            if (blank(messageId)) {
                throw malformed();
            }
            if (firstId == null) {
                firstId = messageId;
            }
        }
        return new SendResult(firstId, count, message.encoding());
    }

    private static DeliveryException malformed() {
        return new DeliveryException("vonage: malformed response", false, null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isValueNode() || value.isNull() ? null : value.asString();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private record Response(int status, byte[] body) {}

    @Override
    public List<DeliveryReceipt> verify(ReceiptRequest request) throws ReceiptRejectedException {
        return receipts.verify(request);
    }

    /** A receipt's {@code iat} may be {@code receipt-skew} either side of now: remembered that long twice over. */
    @Override
    public Duration replayWindow() {
        return settings.receiptSkew().multipliedBy(2);
    }

    @Override
    public String toString() {
        return "VonageSmsProvider[" + id + "]";
    }
}
