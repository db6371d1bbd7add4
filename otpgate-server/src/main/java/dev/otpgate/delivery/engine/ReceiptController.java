package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.provider.ReceiptSink;
import dev.otpgate.delivery.provider.ProviderSource;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.ReceiptWebhook;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRejectedException;
import dev.otpgate.delivery.provider.ReceiptWebhook.ReceiptRequest;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.MalformedRequestFilter;
import dev.otpgate.platform.OtpgateProperties;
import dev.otpgate.platform.RequestBodyLimitFilter;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * Providers' status callbacks: {@code POST /v1/providers/{provider_id}/receipts} (GET with query parameters for
 * providers that send delivery reports that way). No API key: each provider's {@link ReceiptWebhook} checks the
 * provider's own signature, and anything unsigned or badly signed is refused with 401 and changes nothing.
 */
@RestController
class ReceiptController {

    private static final Logger log = LoggerFactory.getLogger(ReceiptController.class);

    private final Map<String, ReceiptWebhook> webhooks;
    private final ReceiptSink sink;
    private final ReceiptGuard guard;
    private final String publicUrl;

    ReceiptController(List<ReceiptWebhook> webhooks, List<ProviderSource> providers, ReceiptSink sink,
            ReceiptGuard guard, OtpgateProperties properties) {
        this.webhooks = Stream.concat(webhooks.stream(), providers.stream()
                        .flatMap(source -> source.providers().stream())
                        .filter(ReceiptWebhook.class::isInstance)
                        .map(ReceiptWebhook.class::cast))
                .collect(Collectors.toMap(ReceiptWebhook::providerId, Function.identity(), (a, b) -> a));
        this.sink = sink;
        this.guard = guard;
        this.publicUrl = properties.publicUrl() == null ? null : properties.publicUrl().toString().replaceAll("/+$", "");
    }

    @Operation(summary = "Receive a provider's delivery receipt", description = "Called by providers, not by apps. "
            + "The provider's own signature authenticates the call; answers 204, 401 for a bad signature, 404 for an "
            + "unknown provider.")
    @RequestMapping(path = "/v1/providers/{provider_id}/receipts", method = {RequestMethod.POST, RequestMethod.GET})
    ResponseEntity<Void> receive(@PathVariable("provider_id") String providerId, HttpServletRequest request)
            throws IOException {
        ReceiptWebhook webhook = webhooks.get(providerId);
        if (webhook == null) {
            throw ApiProblem.notFound("provider");
        }
        byte[] body;
        try {
            body = request.getInputStream().readAllBytes();
        } catch (RequestBodyLimitFilter.BodyTooLargeException e) {
            // A chunked body that passed the limit while being read (a declared length is refused earlier).
            throw new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large", e.getMessage());
        }
        String contentType = request.getContentType();
        String url = url(request);
        Map<String, List<String>> form = MalformedRequestFilter.isFormBody(contentType) ? decodeForm(new String(body, StandardCharsets.UTF_8)) : Map.of();
        List<DeliveryReceipt> receipts;
        try {
            receipts = webhook.verify(new ReceiptRequest(url, headers(request), contentType, body, form));
        } catch (ReceiptRejectedException e) {
            guard.refused(providerId, e.getMessage());
            throw new ApiProblem(HttpStatus.UNAUTHORIZED, "receipt-signature-invalid", "Receipt signature invalid",
                    "the receipt's signature is missing or does not match");
        }
        if (guard.firstTime(providerId, url, body, webhook.replayWindow())) {
            receipts.forEach(sink::accept);
        } else {
            log.debug("Receipt for provider {} seen before; ignored", providerId);
        }
        return ResponseEntity.noContent().build();
    }

    private String url(HttpServletRequest request) {
        String base = publicUrl != null ? publicUrl + request.getRequestURI() : request.getRequestURL().toString();
        return request.getQueryString() == null ? base : base + "?" + request.getQueryString();
    }

    private static Map<String, List<String>> decodeForm(String body) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.computeIfAbsent(name, key -> new java.util.ArrayList<>()).add(value);
        }
        return form;
    }

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name.toLowerCase(Locale.ROOT), Collections.list(request.getHeaders(name)));
        }
        return headers;
    }
}
