package dev.otpgate.delivery.vonage;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.otpgate.delivery.provider.ConfiguredProvider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.delivery.provider.SendResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    private static final DateTimeFormatter VONAGE_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

    private final VonageProperties settings;
    private final RestClient client;
    private final String callbackUrl;
    private final MACVerifier receiptVerifier;
    private final Clock clock;
    private final JsonMapper json = ProviderHttp.JSON;

    VonageSmsProvider(String id, VonageProperties settings, URI publicUrl, boolean production, Clock clock) {
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
                settings.insecureHttp(), production);
        this.callbackUrl = ProviderHttp.receiptUrl(publicUrl, id);
        if (blank(settings.signatureSecret())) {
            this.receiptVerifier = null;
        } else {
            try {
                this.receiptVerifier = new MACVerifier(settings.signatureSecret().getBytes(StandardCharsets.UTF_8));
            } catch (JOSEException e) {
                throw new IllegalStateException(prefix + "signature-secret must be at least 32 bytes long");
            }
        }
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

    @Override
    public List<DeliveryReceipt> verify(ReceiptRequest request) throws ReceiptRejectedException {
        if (receiptVerifier == null) {
            throw new ReceiptRejectedException("no signature-secret configured for provider " + id);
        }
        String authorization = request.header("authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ReceiptRejectedException("unsigned receipt");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(authorization.substring(7).trim());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new ReceiptRejectedException("malformed receipt token");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new ReceiptRejectedException("receipt token is not HS256");
        }
        try {
            if (!jwt.verify(receiptVerifier)) {
                throw new ReceiptRejectedException("bad receipt signature");
            }
        } catch (JOSEException e) {
            throw new ReceiptRejectedException("bad receipt signature");
        }
        Instant now = clock.instant();
        if (claims.getIssueTime() == null) {
            throw new ReceiptRejectedException("receipt token has no iat");
        }
        Instant issued = claims.getIssueTime().toInstant();
        if (Duration.between(issued, now).abs().compareTo(settings.receiptSkew()) > 0) {
            throw new ReceiptRejectedException("receipt token is stale");
        }
        Object hashClaim = claims.getClaim("payload_hash");
        if (!(hashClaim instanceof String hash)) {
            throw new ReceiptRejectedException("receipt token has no payload_hash");
        }
        byte[] body = request.body() == null ? new byte[0] : request.body();
        byte[] expected = HexFormat.of().formatHex(sha256(body)).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, hash.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            throw new ReceiptRejectedException("receipt body does not match its payload_hash");
        }
        return List.of(receipt(request, body, now));
    }

    private DeliveryReceipt receipt(ReceiptRequest request, byte[] body, Instant now) throws ReceiptRejectedException {
        Map<String, String> fields = fields(request, body);
        String messageId = fields.getOrDefault("messageId", fields.get("message-id"));
        String status = fields.get("status");
        if (blank(messageId) || blank(status)) {
            throw new ReceiptRejectedException("receipt without messageId or status");
        }
        Instant at = now;
        String timestamp = fields.get("message-timestamp");
        if (timestamp != null) {
            try {
                at = OffsetDateTime.parse(timestamp, VONAGE_TIMESTAMP).toInstant();
            } catch (DateTimeParseException e) {
                // keep the arrival time
            }
        }
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "delivered" -> new DeliveryReceipt(id, messageId, DeliveryReceipt.Status.DELIVERED, null, at);
            case "failed", "rejected", "expired", "undeliverable" -> new DeliveryReceipt(id, messageId,
                    DeliveryReceipt.Status.UNDELIVERED, reason(status, fields.get("err-code")), at);
            default -> new DeliveryReceipt(id, messageId, DeliveryReceipt.Status.SENT, null, at);
        };
    }

    private static String reason(String status, String errorCode) {
        String safeStatus = status.toLowerCase(Locale.ROOT);
        if (errorCode != null && errorCode.matches("[0-9]{1,6}")) {
            return "vonage " + safeStatus + ", err-code " + errorCode;
        }
        return "vonage " + safeStatus;
    }

    private Map<String, String> fields(ReceiptRequest request, byte[] body) throws ReceiptRejectedException {
        String contentType = request.contentType() == null ? "" : request.contentType().toLowerCase(Locale.ROOT);
        if (contentType.contains("json")) {
            JsonNode root;
            try {
                root = json.readTree(body);
            } catch (JacksonException e) {
                throw new ReceiptRejectedException("receipt body is not JSON");
            }
            if (root == null || !root.isObject()) {
                throw new ReceiptRejectedException("receipt body is not a JSON object");
            }
            java.util.HashMap<String, String> fields = new java.util.HashMap<>();
            for (var entry : root.properties()) {
                if (entry.getValue().isValueNode()) {
                    fields.put(entry.getKey(), entry.getValue().asString());
                }
            }
            return fields;
        }
        java.util.HashMap<String, String> fields = new java.util.HashMap<>();
        if (request.form() != null) {
            request.form().forEach((name, values) -> {
                if (values != null && !values.isEmpty()) {
                    fields.put(name, values.getFirst());
                }
            });
        }
        return fields;
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isValueNode() || value.isNull() ? null : value.asString();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private record Response(int status, byte[] body) {}

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
