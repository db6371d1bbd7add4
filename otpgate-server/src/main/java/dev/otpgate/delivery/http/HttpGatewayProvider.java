package dev.otpgate.delivery.http;

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
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 * gateway, …), with Standard Webhooks receipts ({@link GatewayReceipts}). Reasons quote the HTTP status only: the URL, the headers and
 * the body may hold credentials, the number and the text, and none of them reaches a log line or an exception
 * (S-45).
 */
final class HttpGatewayProvider extends ConfiguredProvider {

    private static final Logger log = LoggerFactory.getLogger(HttpGatewayProvider.class);
    private static final Set<String> CHANNELS = Set.of("sms", "voice");
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String JSON = "application/json";

    private final HttpProperties settings;
    private final HttpMethod method;
    private final Template url;
    private final Map<String, Template> headers = new LinkedHashMap<>();
    private final Template body;
    private final JsonPointer messageIdPointer;
    private final RestClient client;
    private final GatewayReceipts receipts;
    private final JsonMapper json = ProviderHttp.JSON;

    HttpGatewayProvider(String id, HttpProperties settings, boolean production, Clock clock, SslBundles bundles) {
        super(id, settings.channels(), settings.priority());
        this.settings = settings;
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
        this.messageIdPointer = GatewayReceipts.pointer(prefix + "message-id-pointer", settings.messageIdPointer());
        String scheme = sample.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && settings.insecureHttp())) {
            throw new IllegalStateException(prefix + "url must use https (set insecure-http: true only for a gateway"
                    + " on this host)");
        }
        this.client = ProviderHttp.client(id, sample, settings.connectTimeout(), settings.readTimeout(),
                settings.insecureHttp(), production,
                ProviderHttp.sslContext(bundles, prefix + "ssl-bundle", settings.sslBundle()));
        this.receipts = new GatewayReceipts(id, prefix, settings.receipts(), clock);
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

    private record Response(int status, byte[] body) {}

    @Override
    public List<DeliveryReceipt> verify(ReceiptRequest request) throws ReceiptRejectedException {
        return receipts.verify(request);
    }

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
