package dev.otpgate.delivery.http;

import dev.otpgate.delivery.provider.ConfiguredProvider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.delivery.provider.SendResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SMS or voice through a gateway that takes a templated HTTP call (Kannel's {@code sendsms}, an in-house
 * gateway, …), with Standard Webhooks receipts. Reasons quote the HTTP status only: the URL, the headers and
 * the body may hold credentials, the number and the text, and none of them reaches a log line or an exception
 * (S-45).
 */
final class HttpGatewayProvider extends ConfiguredProvider {

    private static final Logger log = LoggerFactory.getLogger(HttpGatewayProvider.class);
    private static final Set<String> CHANNELS = Set.of("sms", "voice");
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String JSON = "application/json";
    /** A gateway's free-text reason is kept only when it looks like a code, never when it could hold a number. */
    private static final Pattern SAFE_REASON = Pattern.compile("[A-Za-z0-9_.:\\- ]{1,64}");
    private static final Pattern LONG_DIGITS = Pattern.compile("[0-9]{7,}");

    private final HttpProperties settings;
    private final HttpMethod method;
    private final Template url;
    private final Map<String, Template> headers = new LinkedHashMap<>();
    private final Template body;
    private final JsonPointer messageIdPointer;
    private final RestClient client;
    private final SecretKeySpec receiptKey;
    private final JsonPointer receiptMessageId;
    private final JsonPointer receiptStatus;
    private final JsonPointer receiptReason;
    private final Clock clock;
    private final JsonMapper json = ProviderHttp.JSON;

    HttpGatewayProvider(String id, HttpProperties settings, boolean production, Clock clock) {
        super(id, settings.channels(), settings.priority());
        this.settings = settings;
        this.clock = clock;
        String prefix = "otpgate.providers." + id + ".";
        if (settings.url() == null || settings.url().isBlank()) {
            throw new IllegalStateException(prefix + "url is required for an http provider");
        }
        String methodName = settings.method().toUpperCase(Locale.ROOT);
        if (!methodName.equals("GET") && !methodName.equals("POST")) {
            throw new IllegalStateException(prefix + "method must be GET or POST");
        }
        this.method = HttpMethod.valueOf(methodName);
        for (String channel : settings.channels()) {
            if (!CHANNELS.contains(channel)) {
                throw new IllegalStateException(prefix + "channels: an http provider serves sms and voice, not " + channel);
            }
        }
        URI sample = sampleUrl(prefix, settings.url());
        this.url = new Template(prefix + "url", settings.url(), Template.Escape.URL);
        settings.headers().forEach((name, value) -> {
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalStateException(prefix + "headers." + name + " holds a line break");
            }
            headers.put(name, new Template(prefix + "headers." + name, value, Template.Escape.NONE));
        });
        if (settings.body() != null) {
            if (method != HttpMethod.POST) {
                throw new IllegalStateException(prefix + "body needs method POST");
            }
            String contentType = settings.contentType();
            if (JSON.equals(contentType)) {
                this.body = new Template(prefix + "body", settings.body(), Template.Escape.JSON);
                try {
                    json.readTree(body.expand(Map.of()));
                } catch (JacksonException e) {
                    throw new IllegalStateException(prefix + "body is not valid JSON once its placeholders are filled");
                }
            } else if (FORM.equals(contentType)) {
                this.body = new Template(prefix + "body", settings.body(), Template.Escape.FORM);
            } else {
                throw new IllegalStateException(prefix + "content-type must be " + JSON + " or " + FORM);
            }
        } else {
            this.body = null;
        }
        this.messageIdPointer = pointer(prefix + "message-id-pointer", settings.messageIdPointer());
        String scheme = sample.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && settings.insecureHttp())) {
            throw new IllegalStateException(prefix + "url must use https (set insecure-http: true only for a gateway"
                    + " on this host)");
        }
        this.client = ProviderHttp.client(id, sample, settings.connectTimeout(), settings.readTimeout(),
                settings.insecureHttp(), production);
        HttpProperties.Receipts receipts = settings.receipts();
        this.receiptKey = receiptKey(prefix + "receipts.secret", receipts.secret());
        this.receiptMessageId = pointer(prefix + "receipts.message-id-pointer", receipts.messageIdPointer());
        this.receiptStatus = pointer(prefix + "receipts.status-pointer", receipts.statusPointer());
        this.receiptReason = pointer(prefix + "receipts.reason-pointer", receipts.reasonPointer());
    }

    /** The URL with its placeholders filled by a harmless value: its scheme and host must be fixed. */
    private static URI sampleUrl(String prefix, String template) {
        int schemeEnd = template.indexOf("://");
        int authorityEnd = schemeEnd < 0 ? -1 : indexOfAny(template, "/?#", schemeEnd + 3);
        String authority = schemeEnd < 0 ? template
                : template.substring(0, authorityEnd < 0 ? template.length() : authorityEnd);
        if (authority.contains("{")) {
            throw new IllegalStateException(prefix + "url may hold placeholders in its path and query only");
        }
        try {
            URI uri = new URI(template.replaceAll("\\{[A-Za-z0-9_]+\\}", "x"));
            if (!uri.isAbsolute() || uri.getHost() == null) {
                throw new IllegalStateException(prefix + "url must be an absolute https URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(prefix + "url is not a valid URL");
        }
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static JsonPointer pointer(String property, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return JsonPointer.compile(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + " is not a JSON Pointer (RFC 6901), such as /id");
        }
    }

    private static SecretKeySpec receiptKey(String property, String secret) {
        if (secret == null || secret.isBlank()) {
            return null;
        }
        String encoded = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
        try {
            byte[] key = java.util.Base64.getDecoder().decode(encoded);
            if (key.length < 16) {
                throw new IllegalStateException(property + " must hold at least 16 bytes");
            }
            return new SecretKeySpec(key, "HmacSHA256");
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + " must be whsec_ followed by a base64 key");
        }
    }

    @Override
    public SendResult send(OutboundMessage message) throws DeliveryException {
        Map<String, String> values = values(message);
        URI uri;
        try {
            uri = URI.create(url.expand(values));
        } catch (IllegalArgumentException e) {
            throw new DeliveryException("the configured url does not form a valid URL", false, null);
        }
        RestClient.RequestBodySpec request = client.method(method).uri(uri);
        for (Map.Entry<String, Template> header : headers.entrySet()) {
            String value = header.getValue().expand(values);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new DeliveryException("header " + header.getKey() + " would hold a line break", true, null);
            }
            request.header(header.getKey(), value);
        }
        if (body != null) {
            request.contentType(MediaType.parseMediaType(settings.contentType()))
                    .body(body.expand(values).getBytes(StandardCharsets.UTF_8));
        }
        Response response;
        try {
            response = request.exchange((req, res) -> new Response(res.getStatusCode().value(), ProviderHttp.boundedBody(res.getBody())));
        } catch (RestClientException e) {
            throw new DeliveryException(ProviderHttp.transportFailure(e), false, null);
        }
        int status = response.status();
        boolean accepted = settings.successStatus().isEmpty() ? status / 100 == 2 : settings.successStatus().contains(status);
        if (!accepted) {
            boolean permanent = status / 100 == 4 && status != 408 && status != 429;
            log.warn("HTTP provider {} answered HTTP {}", id, status);
            throw new DeliveryException("HTTP " + status, permanent, null);
        }
        if (messageIdPointer == null) {
            return new SendResult(message.reference(), null, message.encoding());
        }
        String messageId;
        try {
            JsonNode node = json.readTree(response.body()).at(messageIdPointer);
            messageId = node.isValueNode() && !node.isNull() ? node.asString() : null;
        } catch (JacksonException e) {
            messageId = null;
        }
        if (messageId == null || messageId.isBlank()) {
            throw new DeliveryException("malformed response", false, null);
        }
        return new SendResult(messageId, null, message.encoding());
    }

    private Map<String, String> values(OutboundMessage message) {
        Map<String, String> values = new HashMap<>();
        String to = message.to() == null ? "" : message.to();
        values.put("to", to);
        values.put("to_digits", to.startsWith("+") ? to.substring(1) : to);
        values.put("from", message.from() == null || message.from().isBlank() ? settings.from() : message.from());
        values.put("text", message.text());
        values.put("code", message.code());
        values.put("reference", message.reference());
        values.put("channel", message.channel());
        values.put("locale", message.locale());
        values.put("encoding", message.encoding());
        return values;
    }

    @Override
    public List<DeliveryReceipt> verify(ReceiptRequest request) throws ReceiptRejectedException {
        if (receiptKey == null) {
            throw new ReceiptRejectedException("no receipts.secret configured for provider " + id);
        }
        String webhookId = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        String signatures = request.header("webhook-signature");
        if (webhookId == null || timestamp == null || signatures == null) {
            throw new ReceiptRejectedException("unsigned receipt");
        }
        Instant sent;
        try {
            sent = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new ReceiptRejectedException("malformed webhook-timestamp");
        }
        if (Duration.between(sent, clock.instant()).abs().compareTo(settings.receipts().tolerance()) > 0) {
            throw new ReceiptRejectedException("receipt timestamp outside the tolerance");
        }
        byte[] body = request.body() == null ? new byte[0] : request.body();
        byte[] expected = sign(webhookId, timestamp, body);
        boolean valid = false;
        for (String candidate : signatures.trim().split(" +")) {
            if (!candidate.startsWith("v1,")) {
                continue;
            }
            byte[] decoded;
            try {
                decoded = java.util.Base64.getDecoder().decode(candidate.substring(3));
            } catch (IllegalArgumentException e) {
                continue;
            }
            valid |= MessageDigest.isEqual(expected, decoded);
        }
        if (!valid) {
            throw new ReceiptRejectedException("bad receipt signature");
        }
        return List.of(receipt(body, sent));
    }

    private byte[] sign(String webhookId, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(receiptKey);
            mac.update((webhookId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private DeliveryReceipt receipt(byte[] body, Instant at) throws ReceiptRejectedException {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw new ReceiptRejectedException("receipt body is not JSON");
        }
        String messageId = value(root, receiptMessageId);
        String status = value(root, receiptStatus);
        if (messageId == null || status == null) {
            throw new ReceiptRejectedException("receipt without message id or status");
        }
        HttpProperties.Receipts receipts = settings.receipts();
        if (contains(receipts.deliveredValues(), status)) {
            return new DeliveryReceipt(id, messageId, DeliveryReceipt.Status.DELIVERED, null, at);
        }
        if (contains(receipts.undeliveredValues(), status)) {
            String reason = value(root, receiptReason);
            if (reason == null || !SAFE_REASON.matcher(reason).matches() || LONG_DIGITS.matcher(reason).find()) {
                reason = SAFE_REASON.matcher(status).matches() ? status : "undelivered";
            }
            return new DeliveryReceipt(id, messageId, DeliveryReceipt.Status.UNDELIVERED, reason, at);
        }
        return new DeliveryReceipt(id, messageId, DeliveryReceipt.Status.SENT, null, at);
    }

    private static boolean contains(List<String> values, String value) {
        return values.stream().anyMatch(v -> v.equalsIgnoreCase(value));
    }

    private static String value(JsonNode root, JsonPointer pointer) {
        if (root == null || pointer == null) {
            return null;
        }
        JsonNode node = root.at(pointer);
        if (node == null || !node.isValueNode() || node.isNull()) {
            return null;
        }
        String value = node.asString();
        return value.isBlank() ? null : value;
    }

    private record Response(int status, byte[] body) {}

    /** A receipt's timestamp may be {@code tolerance} either side of now: remembered that long twice over. */
    @Override
    public Duration replayWindow() {
        return settings.receipts().tolerance().multipliedBy(2);
    }

    @Override
    public String toString() {
        return "HttpGatewayProvider[" + id + "]";
    }
}
