package dev.otpgate.delivery.http;

import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRejectedException;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRequest;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A generic gateway's delivery receipts, signed as Standard Webhooks v1 specifies ({@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature}: HMAC-SHA256 of {@code id.timestamp.body} under the
 * {@code whsec_} secret, any of several space-separated signatures, the timestamp within the tolerance), and
 * read with the configured JSON Pointers. A gateway's free-text reason is kept only when it looks like a code.
 */
final class GatewayReceipts {

    /** A gateway's free-text reason is kept only when it looks like a code, never when it could hold a number. */
    private static final Pattern SAFE_REASON = Pattern.compile("[A-Za-z0-9_.:\\- ]{1,64}");
    private static final Pattern LONG_DIGITS = Pattern.compile("[0-9]{7,}");

    private final String providerId;
    private final HttpProperties.Receipts settings;
    private final SecretKeySpec receiptKey;
    private final JsonPointer receiptMessageId;
    private final JsonPointer receiptStatus;
    private final JsonPointer receiptReason;
    private final Clock clock;
    private final JsonMapper json = ProviderHttp.JSON;

    GatewayReceipts(String providerId, String prefix, HttpProperties.Receipts settings, Clock clock) {
        this.providerId = providerId;
        this.settings = settings;
        this.clock = clock;
        this.receiptKey = receiptKey(prefix + "receipts.secret", settings.secret());
        this.receiptMessageId = pointer(prefix + "receipts.message-id-pointer", settings.messageIdPointer());
        this.receiptStatus = pointer(prefix + "receipts.status-pointer", settings.statusPointer());
        this.receiptReason = pointer(prefix + "receipts.reason-pointer", settings.reasonPointer());
    }

    static JsonPointer pointer(String property, String value) {
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

    List<DeliveryReceipt> verify(ReceiptRequest request) throws ReceiptRejectedException {
        if (receiptKey == null) {
            throw new ReceiptRejectedException("no receipts.secret configured for provider " + providerId);
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
        if (Duration.between(sent, clock.instant()).abs().compareTo(settings.tolerance()) > 0) {
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
        if (contains(settings.deliveredValues(), status)) {
            return new DeliveryReceipt(providerId, messageId, DeliveryReceipt.Status.DELIVERED, null, at);
        }
        if (contains(settings.undeliveredValues(), status)) {
            String reason = value(root, receiptReason);
            if (reason == null || !SAFE_REASON.matcher(reason).matches() || LONG_DIGITS.matcher(reason).find()) {
                reason = SAFE_REASON.matcher(status).matches() ? status : "undelivered";
            }
            return new DeliveryReceipt(providerId, messageId, DeliveryReceipt.Status.UNDELIVERED, reason, at);
        }
        return new DeliveryReceipt(providerId, messageId, DeliveryReceipt.Status.SENT, null, at);
    }

    private static boolean contains(List<String> values, String value) {
        return values.stream().anyMatch(v -> v.equalsIgnoreCase(value));
    }

    static String value(JsonNode root, JsonPointer pointer) {
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

}
