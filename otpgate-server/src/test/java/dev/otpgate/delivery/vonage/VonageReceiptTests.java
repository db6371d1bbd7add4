package dev.otpgate.delivery.vonage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.ReceiptWebhook;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRejectedException;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Vonage's signed delivery receipts: a JWT (HS256, signature secret) whose payload_hash is the body's SHA-256. */
class VonageReceiptTests {

    static final String SECRET = "Vonage-signature-secret-0123456789abcdef";
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final String DELIVERED = """
            {"msisdn":"447700900123","to":"Acme","network-code":"23410","messageId":"0A0000000123ABCD1",\
            "price":"0.03330000","status":"delivered","scts":"2611231159","err-code":"0",\
            "api-key":"abcd1234","client-ref":"vrf_01JABCDEF/2","message-timestamp":"2026-11-23 11:59:30 +0000"}""";

    ReceiptWebhook webhook() {
        return webhook(Map.of());
    }

    ReceiptWebhook webhook(Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(VonageSmsProviderTests.config("https://rest.nexmo.com"));
        config.remove("otpgate.providers.nexmo.insecure-http");
        config.put("otpgate.providers.nexmo.signature-secret", SECRET);
        config.putAll(extra);
        Binder binder = new Binder(new MapConfigurationPropertySource(config));
        return (ReceiptWebhook) new VonageProviders(binder, null, false, Clock.fixed(NOW, ZoneOffset.UTC))
                .providers().getFirst();
    }

    static String token(String secret, Instant issued, String body) throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issueTime(Date.from(issued))
                .jwtID(UUID.randomUUID().toString())
                .issuer("Vonage");
        if (body != null) {
            claims.claim("payload_hash", HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8))));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static ReceiptRequest json(String authorization, String body) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("content-type", List.of("application/json"));
        if (authorization != null) {
            headers.put("authorization", List.of(authorization));
        }
        return new ReceiptRequest("https://verify.example.com/v1/providers/nexmo/receipts", headers,
                "application/json", body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    @Test
    void deliveredReceiptIsAccepted() throws Exception {
        ReceiptWebhook webhook = webhook();
        assertThat(webhook.providerId()).isEqualTo("nexmo");

        List<DeliveryReceipt> receipts = webhook.verify(json("Bearer " + token(SECRET, NOW, DELIVERED), DELIVERED));

        assertThat(receipts).containsExactly(new DeliveryReceipt("nexmo", "0A0000000123ABCD1",
                DeliveryReceipt.Status.DELIVERED, null, Instant.parse("2026-11-23T11:59:30Z")));
    }

    @Test
    void failedReceiptCarriesTheErrorCode() throws Exception {
        String body = """
                {"msisdn":"447700900123","message-id":"0A0000000123ABCD2","status":"failed","err-code":"6"}""";
        List<DeliveryReceipt> receipts = webhook().verify(json("Bearer " + token(SECRET, NOW, body), body));
        assertThat(receipts).containsExactly(new DeliveryReceipt("nexmo", "0A0000000123ABCD2",
                DeliveryReceipt.Status.UNDELIVERED, "vonage failed, err-code 6", NOW));
    }

    @Test
    void everyDocumentedStatusMaps() throws Exception {
        Map<String, DeliveryReceipt.Status> expected = Map.of(
                "delivered", DeliveryReceipt.Status.DELIVERED,
                "failed", DeliveryReceipt.Status.UNDELIVERED,
                "rejected", DeliveryReceipt.Status.UNDELIVERED,
                "expired", DeliveryReceipt.Status.UNDELIVERED,
                "undeliverable", DeliveryReceipt.Status.UNDELIVERED,
                "accepted", DeliveryReceipt.Status.SENT,
                "buffered", DeliveryReceipt.Status.SENT);
        ReceiptWebhook webhook = webhook();
        for (var entry : expected.entrySet()) {
            String body = "{\"messageId\":\"0A01\",\"status\":\"" + entry.getKey() + "\",\"err-code\":\"1\"}";
            DeliveryReceipt receipt = webhook.verify(json("Bearer " + token(SECRET, NOW, body), body)).getFirst();
            assertThat(receipt.status()).as(entry.getKey()).isEqualTo(entry.getValue());
        }
    }

    @Test
    void formEncodedReceiptIsAccepted() throws Exception {
        String body = "messageId=0A01&status=expired&err-code=5&msisdn=447700900123";
        Map<String, List<String>> headers = Map.of(
                "authorization", List.of("Bearer " + token(SECRET, NOW, body)),
                "content-type", List.of("application/x-www-form-urlencoded"));
        ReceiptRequest request = new ReceiptRequest("https://verify.example.com/v1/providers/nexmo/receipts",
                headers, "application/x-www-form-urlencoded", body.getBytes(StandardCharsets.UTF_8),
                Map.of("messageId", List.of("0A01"), "status", List.of("expired"), "err-code", List.of("5"),
                        "msisdn", List.of("447700900123")));
        assertThat(webhook().verify(request)).containsExactly(new DeliveryReceipt("nexmo", "0A01",
                DeliveryReceipt.Status.UNDELIVERED, "vonage expired, err-code 5", NOW));
    }

    @Test
    void unsignedReceiptIsRejected() {
        assertRejected(webhook(), json(null, DELIVERED), "unsigned receipt");
        assertRejected(webhook(), json("Basic YWJjOmRlZg==", DELIVERED), "unsigned receipt");
    }

    @Test
    void receiptSignedWithAnotherSecretIsRejected() throws Exception {
        String token = token("another-secret-of-at-least-32-bytes!!", NOW, DELIVERED);
        assertRejected(webhook(), json("Bearer " + token, DELIVERED), "bad receipt signature");
    }

    @Test
    void tamperedBodyIsRejected() throws Exception {
        String token = token(SECRET, NOW, DELIVERED);
        String tampered = DELIVERED.replace("0A0000000123ABCD1", "0A0000000123ABCD9");
        assertRejected(webhook(), json("Bearer " + token, tampered), "receipt body does not match its payload_hash");
    }

    @Test
    void tokenWithoutPayloadHashIsRejected() throws Exception {
        assertRejected(webhook(), json("Bearer " + token(SECRET, NOW, null), DELIVERED),
                "receipt token has no payload_hash");
    }

    @Test
    void staleOrFutureTokenIsRejected() throws Exception {
        ReceiptWebhook webhook = webhook();
        assertRejected(webhook, json("Bearer " + token(SECRET, NOW.minus(Duration.ofSeconds(301)), DELIVERED),
                DELIVERED), "receipt token is stale");
        assertRejected(webhook, json("Bearer " + token(SECRET, NOW.plus(Duration.ofSeconds(301)), DELIVERED),
                DELIVERED), "receipt token is stale");
        // within the default five minutes
        assertThat(webhook.verify(json("Bearer " + token(SECRET, NOW.minus(Duration.ofSeconds(299)), DELIVERED),
                DELIVERED))).hasSize(1);
        // a tighter configured skew
        ReceiptWebhook strict = webhook(Map.of("otpgate.providers.nexmo.receipt-skew", "30s"));
        assertRejected(strict, json("Bearer " + token(SECRET, NOW.minus(Duration.ofSeconds(31)), DELIVERED),
                DELIVERED), "receipt token is stale");
    }

    @Test
    void unsecuredTokenIsRejected() throws Exception {
        String plain = new PlainJWT(new JWTClaimsSet.Builder().issueTime(Date.from(NOW)).build()).serialize();
        assertRejected(webhook(), json("Bearer " + plain, DELIVERED), "malformed receipt token");
    }

    @Test
    void receiptWithoutMessageIdIsRejected() throws Exception {
        String body = "{\"status\":\"delivered\"}";
        assertRejected(webhook(), json("Bearer " + token(SECRET, NOW, body), body),
                "receipt without messageId or status");
    }

    @Test
    void providerWithoutSignatureSecretRejectsEveryReceipt() throws Exception {
        Map<String, String> config = new HashMap<>(VonageSmsProviderTests.config("https://rest.nexmo.com"));
        config.remove("otpgate.providers.nexmo.insecure-http");
        ReceiptWebhook webhook = (ReceiptWebhook) new VonageProviders(
                new Binder(new MapConfigurationPropertySource(config)), null, false, Clock.systemUTC())
                .providers().getFirst();
        assertRejected(webhook, json("Bearer " + token(SECRET, Instant.now(), DELIVERED), DELIVERED),
                "no signature-secret configured for provider nexmo");
    }

    static void assertRejected(ReceiptWebhook webhook, ReceiptRequest request, String reason) {
        assertThatThrownBy(() -> webhook.verify(request))
                .isInstanceOf(ReceiptRejectedException.class)
                .hasMessage(reason)
                .message().doesNotContain(SECRET).doesNotContain("447700900123");
    }
}
