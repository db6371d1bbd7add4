package dev.otpgate.delivery.twilio;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio's request signature: Base64(HMAC-SHA1(auth token, URL + each POST parameter's name and value, sorted
 * by name)), compared in constant time.
 */
final class TwilioSignature {

    private TwilioSignature() {}

    static String compute(String authToken, String url, Map<String, List<String>> form) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(form).forEach((name, values) -> {
            List<String> sorted = new ArrayList<>(values);
            sorted.sort(null);
            sorted.forEach(value -> data.append(name).append(value));
        });
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return java.util.Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }

    static boolean matches(String authToken, String url, Map<String, List<String>> form, String signature) {
        byte[] expected = compute(authToken, url, form).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.strip().getBytes(StandardCharsets.US_ASCII));
    }
}
