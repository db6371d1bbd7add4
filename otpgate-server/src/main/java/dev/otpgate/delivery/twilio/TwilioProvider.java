package dev.otpgate.delivery.twilio;

import dev.otpgate.delivery.provider.ConfiguredProvider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.ProviderHttp;
import dev.otpgate.delivery.provider.SendResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.springframework.boot.ssl.SslBundles;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * SMS and voice through Twilio's REST API ({@code POST /2010-04-01/Accounts/{sid}/Messages.json} and
 * {@code …/Calls.json}), with HTTP Basic authentication, and Twilio's status callbacks as receipts. Failures name
 * Twilio's error code only: never the number, the body or the token (S-45).
 */
final class TwilioProvider extends ConfiguredProvider {

    /** Twilio error codes that say the destination cannot receive this message: another try would fail too. */
    private static final Set<Integer> DESTINATION_ERRORS = Set.of(
            21211, // invalid To number
            21214, // To number cannot be reached
            21217, // phone number does not appear to be valid
            21401, // invalid phone number
            21407, // this phone number type does not support voice
            21408, // permission to send to this region not enabled
            21421, // phone number is invalid
            21601, // phone number is not a valid SMS-capable number
            21610, // the recipient unsubscribed (STOP)
            21612, // the To number is not currently reachable
            21614, // To is not a mobile number
            21635, // To is a landline
            30003, 30004, 30005, 30006); // unreachable, blocked, unknown, landline

    private static final Pattern SID = Pattern.compile("[A-Z]{2}[0-9a-fA-F]{32}");

    private final TwilioProperties settings;
    private final String statusCallback;
    private final RestClient http;
    private final String authorization;
    private final Clock clock;

    TwilioProvider(String id, TwilioProperties settings, URI publicUrl, boolean production, Clock clock) {
        this(id, settings, publicUrl, production, clock, null);
    }

    /** @param bundles the SSL bundles {@code ssl-bundle} names; {@code null}: none defined */
    TwilioProvider(String id, TwilioProperties settings, URI publicUrl, boolean production, Clock clock,
            SslBundles bundles) {
        super(id, settings.channels(), settings.priority());
        this.settings = settings;
        this.clock = clock;
        this.statusCallback = ProviderHttp.receiptUrl(publicUrl, id);
        this.http = ProviderHttp.client(id, settings.baseUrl(), settings.connectTimeout(), settings.readTimeout(),
                settings.insecureHttp(), production,
                ProviderHttp.sslContext(bundles, "otpgate.providers." + id + ".ssl-bundle", settings.sslBundle()));
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (settings.accountSid() + ":" + settings.authToken()).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public SendResult send(OutboundMessage message) throws DeliveryException {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("To", message.to());
        String resource;
        if ("voice".equals(message.channel())) {
            resource = "Calls.json";
            form.add("From", settings.from());
            form.add("Twiml", TwilioVoice.twiml(message.text(), message.locale(), settings.voice()));
            if (statusCallback != null) {
                form.add("StatusCallback", statusCallback);
                form.add("StatusCallbackEvent", "completed");
            }
        } else {
            resource = "Messages.json";
            if (message.from() != null && !message.from().isBlank()) {
                form.add("From", message.from());
            } else if (settings.from() != null && !settings.from().isBlank()) {
                form.add("From", settings.from());
            } else {
                form.add("MessagingServiceSid", settings.messagingServiceSid());
            }
            form.add("Body", message.text());
            if (statusCallback != null) {
                form.add("StatusCallback", statusCallback);
            }
        }
        Answer answer = post("/2010-04-01/Accounts/{sid}/" + resource, form);
        if (answer.status() / 100 != 2) {
            throw failure(answer);
        }
        String sid = answer.json() == null ? null : text(answer.json(), "sid");
        if (sid == null || !SID.matcher(sid).matches()) {
            // S-08: an acceptance we cannot read is not an acceptance.
            throw new DeliveryException("twilio answered HTTP " + answer.status() + " without a message sid", false, null);
        }
        return "voice".equals(message.channel()) ? SendResult.of(sid)
                : new SendResult(sid, message.segments(), message.encoding());
    }

    private record Answer(int status, JsonNode json) {}

    private Answer post(String path, MultiValueMap<String, String> form) throws DeliveryException {
        try {
            return http.post().uri(path, settings.accountSid())
                    .header(HttpHeaders.AUTHORIZATION, authorization)
                    .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                    .accept(MediaType.APPLICATION_JSON)
                    // Bytes, not the map or a string: the client logs bodies it writes at debug level (S-45).
                    .body(ProviderHttp.formBody(form))
                    .exchange((request, response) -> new Answer(response.getStatusCode().value(), ProviderHttp.boundedJson(response.getBody())));
        } catch (ResourceAccessException e) {
            throw new DeliveryException("twilio: " + ProviderHttp.transportFailure(e), false, null);
        } catch (RuntimeException e) {
            throw new DeliveryException("twilio could not be called", false, null);
        }
    }

    private static DeliveryException failure(Answer answer) {
        int status = answer.status();
        Integer code = null;
        if (answer.json() != null && answer.json().get("code") != null && answer.json().get("code").canConvertToInt()) {
            code = answer.json().get("code").asInt();
        }
        String error = code == null ? "HTTP " + status : "HTTP " + status + ", error " + code;
        if (code != null && DESTINATION_ERRORS.contains(code)) {
            return new DeliveryException("twilio cannot deliver to this destination (" + error + ")", true, null);
        }
        if (status == 401 || status == 403) {
            return new DeliveryException("twilio refused the credentials (" + error + ")", false, null);
        }
        if (status == 429) {
            return new DeliveryException("twilio is rate limiting (" + error + ")", false, null);
        }
        if (status >= 500) {
            return new DeliveryException("twilio is unavailable (" + error + ")", false, null);
        }
        // Other refusals are about this account's configuration (sender, region, balance): another provider may
        // succeed, so the worker is allowed to move on.
        return new DeliveryException("twilio refused the message (" + error + ")", false, null);
    }

    @Override
    public List<DeliveryReceipt> verify(ReceiptRequest request) throws ReceiptRejectedException {
        String signature = request.header("X-Twilio-Signature");
        if (signature == null || signature.isBlank()) {
            throw new ReceiptRejectedException("no X-Twilio-Signature header");
        }
        if (!TwilioSignature.matches(settings.authToken(), request.url(), request.form(), signature)) {
            throw new ReceiptRejectedException("the X-Twilio-Signature does not match");
        }
        String messageSid = first(request, "MessageSid");
        if (messageSid != null) {
            String status = first(request, "MessageStatus");
            return List.of(receipt(messageSid, messageStatus(status), errorReason(request, status)));
        }
        String callSid = first(request, "CallSid");
        if (callSid != null) {
            String status = first(request, "CallStatus");
            return List.of(receipt(callSid, callStatus(status), status));
        }
        throw new ReceiptRejectedException("neither MessageSid nor CallSid in the callback");
    }

    private DeliveryReceipt receipt(String sid, DeliveryReceipt.Status status, String reason) throws ReceiptRejectedException {
        if (!SID.matcher(sid).matches()) {
            throw new ReceiptRejectedException("the callback's sid is malformed");
        }
        return new DeliveryReceipt(id, sid, status, status == DeliveryReceipt.Status.UNDELIVERED ? reason : null, clock.instant());
    }

    private static DeliveryReceipt.Status messageStatus(String status) {
        if (status == null) {
            return DeliveryReceipt.Status.SENT;
        }
        return switch (status) {
            case "delivered", "read" -> DeliveryReceipt.Status.DELIVERED;
            case "undelivered", "failed", "canceled" -> DeliveryReceipt.Status.UNDELIVERED;
            default -> DeliveryReceipt.Status.SENT;
        };
    }

    private static DeliveryReceipt.Status callStatus(String status) {
        if (status == null) {
            return DeliveryReceipt.Status.SENT;
        }
        return switch (status) {
            case "completed" -> DeliveryReceipt.Status.DELIVERED;
            case "busy", "no-answer", "failed", "canceled" -> DeliveryReceipt.Status.UNDELIVERED;
            default -> DeliveryReceipt.Status.SENT;
        };
    }

    /** Twilio's numeric error code when it gave one, else the status word; never free text. */
    private static String errorReason(ReceiptRequest request, String status) {
        String code = first(request, "ErrorCode");
        if (code != null && code.matches("\\d{1,6}")) {
            return code;
        }
        return status == null ? null : status.replaceAll("[^a-z-]", "");
    }

    private static String first(ReceiptRequest request, String name) {
        List<String> values = request.form().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isString() ? null : value.asString();
    }

    @Override
    public String toString() {
        return "TwilioProvider[" + id + "]";
    }
}
