package dev.otpgate.delivery.vonage;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRejectedException;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRequest;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Vonage's delivery receipts, signed with the JWT Vonage puts in {@code Authorization: Bearer}: HS256 under the
 * account's signature secret (checked by Nimbus), an {@code iat} within {@code receipt-skew}, and a
 * {@code payload_hash} that is the SHA-256 of the body. Form and JSON bodies are read alike.
 */
final class VonageReceipts {

    private static final DateTimeFormatter VONAGE_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

    private final String providerId;
    private final VonageProperties settings;
    private final MACVerifier receiptVerifier;
    private final Clock clock;
    private final JsonMapper json = ProviderHttp.JSON;

    VonageReceipts(String providerId, String prefix, VonageProperties settings, Clock clock) {
        this.providerId = providerId;
        this.settings = settings;
        this.clock = clock;
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

    List<DeliveryReceipt> verify(ReceiptRequest request) throws ReceiptRejectedException {
        if (receiptVerifier == null) {
            throw new ReceiptRejectedException("no signature-secret configured for provider " + providerId);
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
            case "delivered" -> new DeliveryReceipt(providerId, messageId, DeliveryReceipt.Status.DELIVERED, null, at);
            case "failed", "rejected", "expired", "undeliverable" -> new DeliveryReceipt(providerId, messageId,
                    DeliveryReceipt.Status.UNDELIVERED, reason(status, fields.get("err-code")), at);
            default -> new DeliveryReceipt(providerId, messageId, DeliveryReceipt.Status.SENT, null, at);
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

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
