package dev.otpgate.delivery.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.ReceiptWebhook;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRejectedException;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Standard Webhooks receipts for the generic HTTP adapter. */
class HttpReceiptTests {

    // The Standard Webhooks specification's own example
    static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long SPEC_TIMESTAMP = 1614265330;
    static final String SPEC_BODY = "{\"test\": 2432232314}";
    static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(
            "receipt-key-of-the-gateway-32byt".getBytes(StandardCharsets.US_ASCII));
    static final long NOW = 1_795_000_000L;

    static ReceiptWebhook webhook(long now, Map<String, String> receipts) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("otpgate.providers.gw.type", "http");
        config.put("otpgate.providers.gw.url", "https://gateway.example.com/send?to={to}&text={text}");
        receipts.forEach((key, value) -> config.put("otpgate.providers.gw.receipts." + key, value));
        return (ReceiptWebhook) new HttpProviders(new Binder(new MapConfigurationPropertySource(config)), true,
                Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC)).providers().getFirst();
    }

    static ReceiptWebhook webhook() {
        return webhook(NOW, Map.of("secret", SECRET, "reason-pointer", "/error/code"));
    }

    static ReceiptRequest request(String id, String timestamp, String signature, String body) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("content-type", List.of("application/json"));
        if (id != null) {
            headers.put("webhook-id", List.of(id));
        }
        if (timestamp != null) {
            headers.put("webhook-timestamp", List.of(timestamp));
        }
        if (signature != null) {
            headers.put("webhook-signature", List.of(signature));
        }
        return new ReceiptRequest("https://verify.example.com/v1/providers/gw/receipts", headers, "application/json",
                body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static String sign(String secret, String id, long timestamp, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        byte[] signature = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(signature);
    }

    static ReceiptRequest signed(String body, long timestamp) throws Exception {
        return request("msg_2b8a", Long.toString(timestamp), sign(SECRET, "msg_2b8a", timestamp, body), body);
    }

    @Test
    void specificationExampleVerifies() throws Exception {
        ReceiptWebhook webhook = webhook(SPEC_TIMESTAMP,
                Map.of("secret", SPEC_SECRET, "message-id-pointer", "/test", "status-pointer", "/test"));
        List<DeliveryReceipt> receipts = webhook.verify(
                request(SPEC_ID, Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY));
        assertThat(receipts).containsExactly(new DeliveryReceipt("gw", "2432232314", DeliveryReceipt.Status.SENT,
                null, Instant.ofEpochSecond(SPEC_TIMESTAMP)));
    }

    @Test
    void specificationExampleWithAnotherSecretFails() {
        ReceiptWebhook webhook = webhook(SPEC_TIMESTAMP,
                Map.of("secret", SECRET, "message-id-pointer", "/test", "status-pointer", "/test"));
        assertRejected(webhook, request(SPEC_ID, Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY),
                "bad receipt signature");
    }

    @Test
    void deliveredAndUndeliveredReceipts() throws Exception {
        ReceiptWebhook webhook = webhook();
        assertThat(webhook.providerId()).isEqualTo("gw");
        assertThat(webhook.verify(signed("{\"message_id\":\"msg-42\",\"status\":\"delivered\"}", NOW)))
                .containsExactly(new DeliveryReceipt("gw", "msg-42", DeliveryReceipt.Status.DELIVERED, null,
                        Instant.ofEpochSecond(NOW)));
        assertThat(webhook.verify(signed(
                "{\"message_id\":\"msg-43\",\"status\":\"FAILED\",\"error\":{\"code\":\"absent-subscriber\"}}", NOW)))
                .containsExactly(new DeliveryReceipt("gw", "msg-43", DeliveryReceipt.Status.UNDELIVERED,
                        "absent-subscriber", Instant.ofEpochSecond(NOW)));
        assertThat(webhook.verify(signed("{\"message_id\":\"msg-44\",\"status\":\"enroute\"}", NOW)))
                .containsExactly(new DeliveryReceipt("gw", "msg-44", DeliveryReceipt.Status.SENT, null,
                        Instant.ofEpochSecond(NOW)));
    }

    // S-45: a gateway reason quoting the number is not passed on
    @Test
    void reasonHoldingANumberIsReplacedByTheStatus() throws Exception {
        DeliveryReceipt receipt = webhook().verify(signed(
                "{\"message_id\":\"msg-45\",\"status\":\"rejected\",\"error\":{\"code\":\"447700900123 barred\"}}",
                NOW)).getFirst();
        assertThat(receipt.status()).isEqualTo(DeliveryReceipt.Status.UNDELIVERED);
        assertThat(receipt.reason()).isEqualTo("rejected");
    }

    @Test
    void configuredPointersAndValues() throws Exception {
        ReceiptWebhook webhook = webhook(NOW, Map.of("secret", SECRET, "message-id-pointer", "/sms/0/ref",
                "status-pointer", "/sms/0/state", "delivered-values", "DELIVRD,ok", "undelivered-values", "UNDELIV"));
        assertThat(webhook.verify(signed("{\"sms\":[{\"ref\":\"vrf_01J/2\",\"state\":\"DELIVRD\"}]}", NOW)))
                .extracting(DeliveryReceipt::providerMessageId, DeliveryReceipt::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("vrf_01J/2", DeliveryReceipt.Status.DELIVERED));
        assertThat(webhook.verify(signed("{\"sms\":[{\"ref\":\"vrf_01J/3\",\"state\":\"UNDELIV\"}]}", NOW))
                .getFirst().status()).isEqualTo(DeliveryReceipt.Status.UNDELIVERED);
    }

    @Test
    void oneValidSignatureAmongSeveralIsEnough() throws Exception {
        String body = "{\"message_id\":\"msg-42\",\"status\":\"delivered\"}";
        String valid = sign(SECRET, "msg_2b8a", NOW, body);
        String other = sign("whsec_" + Base64.getEncoder().encodeToString(new byte[32]), "msg_2b8a", NOW, body);
        assertThat(webhook().verify(request("msg_2b8a", Long.toString(NOW), other + " v1,!!notbase64 " + valid, body)))
                .hasSize(1);
        assertRejected(webhook(), request("msg_2b8a", Long.toString(NOW), other, body), "bad receipt signature");
        // only v1 signatures count
        assertRejected(webhook(), request("msg_2b8a", Long.toString(NOW), "v1a," + valid.substring(3), body),
                "bad receipt signature");
    }

    @Test
    void missingHeadersAreRejected() throws Exception {
        String body = "{\"message_id\":\"msg-42\",\"status\":\"delivered\"}";
        String signature = sign(SECRET, "msg_2b8a", NOW, body);
        assertRejected(webhook(), request(null, Long.toString(NOW), signature, body), "unsigned receipt");
        assertRejected(webhook(), request("msg_2b8a", null, signature, body), "unsigned receipt");
        assertRejected(webhook(), request("msg_2b8a", Long.toString(NOW), null, body), "unsigned receipt");
    }

    @Test
    void tamperedBodyIdOrTimestampIsRejected() throws Exception {
        String body = "{\"message_id\":\"msg-42\",\"status\":\"failed\"}";
        String signature = sign(SECRET, "msg_2b8a", NOW, body);
        assertRejected(webhook(), request("msg_2b8a", Long.toString(NOW), signature, body.replace("failed", "delivered")),
                "bad receipt signature");
        assertRejected(webhook(), request("msg_2b8b", Long.toString(NOW), signature, body), "bad receipt signature");
        assertRejected(webhook(), request("msg_2b8a", Long.toString(NOW - 1), signature, body), "bad receipt signature");
    }

    @Test
    void timestampOutsideFiveMinutesIsRejected() throws Exception {
        String body = "{\"message_id\":\"msg-42\",\"status\":\"delivered\"}";
        assertRejected(webhook(), signed(body, NOW - 301), "receipt timestamp outside the tolerance");
        assertRejected(webhook(), signed(body, NOW + 301), "receipt timestamp outside the tolerance");
        assertThat(webhook().verify(signed(body, NOW - 299))).hasSize(1);
        assertRejected(webhook(), request("msg_2b8a", "yesterday", sign(SECRET, "msg_2b8a", NOW, body), body),
                "malformed webhook-timestamp");
    }

    @Test
    void signedButUnreadableReceiptIsRejected() throws Exception {
        assertRejected(webhook(), signed("not json", NOW), "receipt body is not JSON");
        assertRejected(webhook(), signed("{\"status\":\"delivered\"}", NOW), "receipt without message id or status");
    }

    @Test
    void providerWithoutSecretRejectsEveryReceipt() throws Exception {
        assertRejected(webhook(NOW, Map.of()), signed("{\"message_id\":\"m\",\"status\":\"delivered\"}", NOW),
                "no receipts.secret configured for provider gw");
    }

    @Test
    void badSecretFailsStartup() {
        assertThatThrownBy(() -> webhook(NOW, Map.of("secret", "whsec_not base64!")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("otpgate.providers.gw.receipts.secret must be whsec_ followed by a base64 key");
    }

    static void assertRejected(ReceiptWebhook webhook, ReceiptRequest request, String reason) {
        assertThatThrownBy(() -> webhook.verify(request))
                .isInstanceOf(ReceiptRejectedException.class)
                .hasMessage(reason);
    }
}
