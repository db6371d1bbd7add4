package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.apps.App;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import org.springframework.web.util.HtmlUtils;

/**
 * Renders a code's message for its channel and locale: brand, code, minutes until it expires, the transaction
 * lines the person is approving, and a warning never to share the code.
 *
 * <p>Templates are bundled per locale in {@code messages/otp_<locale>.properties} (UTF-8); a locale such as
 * {@code pt-BR} is looked up as {@code pt-BR}, then {@code pt}, then {@code en}, key by key. An app's override
 * ({@code delivery.templates}, channel then locale) for the resolved locale or its language replaces the bundled
 * template of that channel. An SMS from a bundled template is kept to one segment where it can be: when the full
 * text needs more, the warning is left out, then the short template is used; the brand, the code and the
 * transaction lines always stay. The WebOTP line ({@code @domain #code}) and the Android SMS Retriever app hash
 * end the SMS.
 */
@Component
class MessageRenderer {

    static final String FALLBACK = "en";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(brand|code|minutes|duration|transaction|warning)}");
    private static final Pattern TAG = Pattern.compile("([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}))?");

    private final Map<String, Optional<Properties>> bundles = new ConcurrentHashMap<>();
    private final String emailHtml = resource("messages/email.html")
            .orElseThrow(() -> new IllegalStateException("messages/email.html is missing from the classpath"));

    OutboundMessage render(DeliveryRequest request, App app) {
        List<String> locales = locales(request.locale());
        long minutes = Math.max(1, (request.ttlSeconds() + 59) / 60);
        Values values = new Values(request.brand(), request.code(), minutes, request.transaction());
        String override = override(app, request.channel(), locales);
        String channel = request.channel();
        String subject = null;
        String text;
        String html = null;
        String encoding = null;
        int segments = 0;
        switch (channel) {
            case "sms" -> {
                text = sms(request, app, locales, values, override);
                encoding = SmsText.encoding(text);
                segments = SmsText.segments(text);
            }
            case "voice" -> text = fill(override != null ? override : message(locales, "voice"), locales,
                    values.spoken(spelled(request.code(), message(locales, "voice.separator"))), true);
            case "email" -> {
                subject = line(message(locales, "email.subject"), locales, values);
                text = fill(override != null ? override : message(locales, "email.text"), locales, values, true);
                html = html(locales, values, subject, override);
            }
            default -> text = fill(override != null ? override : message(locales, channel), locales, values, true);
        }
        return new OutboundMessage(request.appId(), channel, request.destination().value(), app.delivery().senderId(),
                subject, text, html, request.code(), request.locale(), encoding, segments,
                request.verificationId() + "/" + request.step());
    }

    /** The lookup order for a locale tag: the tag as given ({@code pt-BR}), its language, then English. */
    static List<String> locales(String tag) {
        List<String> out = new ArrayList<>(3);
        Matcher m = tag == null ? null : TAG.matcher(tag.strip());
        if (m != null && m.matches()) {
            String language = m.group(1).toLowerCase(Locale.ROOT);
            if (m.group(2) != null) {
                out.add(language + "-" + m.group(2).toUpperCase(Locale.ROOT));
            }
            out.add(language);
        }
        if (!out.contains(FALLBACK)) {
            out.add(FALLBACK);
        }
        return out;
    }

    private String sms(DeliveryRequest request, App app, List<String> locales, Values values, String override) {
        List<String> trailer = new ArrayList<>(2);
        String appHash = request.appHash();
        if (appHash != null && !appHash.isBlank()) {
            // SMS Retriever: the message must include the app's 11-character hash; on a line of its own it
            // cannot run into the text.
            trailer.add(appHash.strip());
        }
        String domain = app.delivery().webotpDomain();
        if (domain != null && !domain.isBlank()) {
            // WebOTP: the last line is "@" host " #" code.
            trailer.add("@" + domain + " #" + request.code());
        }
        if (override != null) {
            return withTrailer(fill(override, locales, values, true), trailer);
        }
        List<String> variants = List.of(
                withTrailer(fill(message(locales, "sms"), locales, values, true), trailer),
                withTrailer(fill(message(locales, "sms"), locales, values, false), trailer),
                withTrailer(fill(message(locales, "sms.short"), locales, values, false), trailer));
        String best = variants.getFirst();
        for (String variant : variants) {
            int segments = SmsText.segments(variant);
            if (segments == 1) {
                return variant;
            }
            if (segments < SmsText.segments(best)) {
                best = variant;
            }
        }
        return best;
    }

    private static String withTrailer(String text, List<String> trailer) {
        if (trailer.isEmpty()) {
            return text;
        }
        return text + "\n\n" + String.join("\n", trailer);
    }

    private String html(List<String> locales, Values values, String subject, String override) {
        UnaryOperator<String> esc = s -> HtmlUtils.htmlEscape(s, StandardCharsets.UTF_8.name());
        StringBuilder content = new StringBuilder();
        String p = "<p style=\"margin:0 0 16px;\">";
        if (override != null) {
            String text = fill(override, locales, values, true);
            content.append(p).append(esc.apply(text).replace("\n", "<br>\n")).append("</p>\n");
        } else {
            content.append(p).append(esc.apply(line(message(locales, "email.intro"), locales, values))).append("</p>\n")
                    .append("<p style=\"margin:0 0 16px;font-family:'SFMono-Regular',Consolas,'Liberation Mono',Menlo,monospace;")
                    .append("font-size:32px;font-weight:700;letter-spacing:6px;color:#1f2328;\">")
                    .append(esc.apply(values.code)).append("</p>\n")
                    .append(p).append(esc.apply(line(message(locales, "email.expiry"), locales, values))).append("</p>\n");
            if (values.hasTransaction()) {
                content.append(p).append(esc.apply(message(locales, "approving"))).append("</p>\n")
                        .append("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" ")
                        .append("style=\"margin:0 0 16px;border-collapse:collapse;\">\n");
                values.transaction.forEach((key, value) -> content
                        .append("<tr><th scope=\"row\" style=\"padding:4px 12px 4px 0;text-align:start;font-weight:600;vertical-align:top;\">")
                        .append(esc.apply(key)).append("</th><td style=\"padding:4px 0;\">").append(esc.apply(value)).append("</td></tr>\n"));
                content.append("</table>\n");
            }
            content.append("<p style=\"margin:0;padding:12px;background-color:#fff8e1;border-radius:4px;color:#5c4400;\">")
                    .append(esc.apply(message(locales, "warning"))).append("</p>\n");
        }
        String language = language(locales);
        return emailHtml
                .replace("{lang}", esc.apply(language))
                .replace("{dir}", language.startsWith("ar") ? "rtl" : "ltr")
                .replace("{subject}", esc.apply(subject))
                .replace("{brand}", esc.apply(values.brand))
                .replace("{content}", content.toString());
    }

    /** Fills a one-line template (a subject, a heading): no transaction lines, no warning. */
    private String line(String template, List<String> locales, Values values) {
        return fill(template, locales, new Values(values.brand, values.code, values.minutes, Map.of()), false).strip();
    }

    /**
     * Fills a template. A line that is only {@code {transaction}} becomes the approving line and the
     * {@code key: value} lines, or goes when there is no transaction; a line that is only {@code {warning}}
     * becomes the warning, or goes when {@code warning} is false. A template without {@code {transaction}} gets
     * the transaction lines appended, so they are never lost. Values are inserted in one pass: a brand holding
     * {@code {code}} stays as written.
     */
    private String fill(String template, List<String> locales, Values values, boolean warning) {
        String approving = message(locales, "approving");
        StringBuilder block = new StringBuilder(approving);
        if (values.hasTransaction()) {
            values.transaction.forEach((key, value) -> block.append('\n').append(key).append(": ").append(value));
        }
        String duration = duration(locales, values.minutes);
        List<String> lines = new ArrayList<>();
        boolean transactionPlaced = false;
        for (String line : template.replace("\r\n", "\n").split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.equals("{transaction}")) {
                transactionPlaced = true;
                if (values.hasTransaction()) {
                    lines.add(block.toString());
                }
                continue;
            }
            if (trimmed.equals("{warning}")) {
                if (warning) {
                    lines.add(message(locales, "warning"));
                }
                continue;
            }
            transactionPlaced |= line.contains("{transaction}");
            Matcher m = PLACEHOLDER.matcher(line);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = switch (m.group(1)) {
                    case "brand" -> values.brand;
                    case "code" -> values.spokenCode != null ? values.spokenCode : values.code;
                    case "minutes" -> Long.toString(values.minutes);
                    case "duration" -> duration;
                    case "transaction" -> values.hasTransaction() ? block.toString() : "";
                    default -> warning ? message(locales, "warning") : "";
                };
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            lines.add(out.toString());
        }
        if (!transactionPlaced && values.hasTransaction()) {
            lines.add(block.toString());
        }
        while (!lines.isEmpty() && lines.getLast().isBlank()) {
            lines.removeLast();
        }
        return String.join("\n", lines);
    }

    private String duration(List<String> locales, long minutes) {
        String form = pluralForm(locales.getFirst(), minutes);
        String template = find(locales, "minutes." + form).orElseGet(() -> message(locales, "minutes.other"));
        return template.replace("{minutes}", Long.toString(minutes));
    }

    /** The CLDR plural category of a whole number for the bundled languages. */
    static String pluralForm(String locale, long n) {
        String language = locale.contains("-") ? locale.substring(0, locale.indexOf('-')) : locale;
        return switch (language) {
            case "ja", "zh", "id", "tr" -> "other";
            case "fr", "hi", "pt" -> n <= 1 ? "one" : "other";
            case "pl" -> n == 1 ? "one"
                    : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? "few" : "many";
            case "ar" -> n == 0 ? "zero" : n == 1 ? "one" : n == 2 ? "two"
                    : n % 100 >= 3 && n % 100 <= 10 ? "few" : n % 100 >= 11 ? "many" : "other";
            default -> n == 1 ? "one" : "other";
        };
    }

    /** The code spelled digit by digit, so that a voice reads {@code 1, 2, 3} rather than one number. */
    static String spelled(String code, String separator) {
        StringBuilder out = new StringBuilder();
        code.codePoints().forEach(c -> {
            if (!out.isEmpty()) {
                out.append(separator);
            }
            out.appendCodePoint(c);
        });
        return out.toString();
    }

    /**
     * The app's override for the channel: for the locale as requested, then its language, then, when neither
     * has bundled templates, for English (the locale the message is then rendered in).
     */
    private String override(App app, String channel, List<String> locales) {
        Map<String, String> byLocale = app.delivery().templates().get(channel);
        if (byLocale == null) {
            return null;
        }
        for (String locale : locales) {
            if (byLocale.containsKey(locale)) {
                return byLocale.get(locale);
            }
            if (bundled(locale)) {
                return null;
            }
        }
        return null;
    }

    private boolean bundled(String locale) {
        return bundles.computeIfAbsent(locale, MessageRenderer::load).isPresent();
    }

    /** The tag the message is written in: the one asked for when its language is bundled, else English. */
    private String language(List<String> locales) {
        return locales.stream().limit(locales.size() - 1).anyMatch(this::bundled) ? locales.getFirst() : FALLBACK;
    }

    String message(List<String> locales, String key) {
        return find(locales, key).orElseThrow(() -> new IllegalStateException("no bundled message " + key));
    }

    private Optional<String> find(List<String> locales, String key) {
        for (String locale : locales) {
            Optional<Properties> bundle = bundles.computeIfAbsent(locale, MessageRenderer::load);
            if (bundle.isPresent() && bundle.get().getProperty(key) != null) {
                return Optional.of(bundle.get().getProperty(key));
            }
        }
        return Optional.empty();
    }

    private static Optional<Properties> load(String locale) {
        try (InputStream in = MessageRenderer.class.getClassLoader().getResourceAsStream("messages/otp_" + locale + ".properties")) {
            if (in == null) {
                return Optional.empty();
            }
            Properties properties = new Properties();
            properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            return Optional.of(properties);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<String> resource(String name) {
        try (InputStream in = MessageRenderer.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a template's placeholders are filled with; {@code spokenCode} is the code as a voice says it. */
    private record Values(String brand, String code, long minutes, Map<String, String> transaction, String spokenCode) {

        Values(String brand, String code, long minutes, Map<String, String> transaction) {
            this(brand, code, minutes, transaction, null);
        }

        Values spoken(String spokenCode) {
            return new Values(brand, code, minutes, transaction, spokenCode);
        }

        boolean hasTransaction() {
            return transaction != null && !transaction.isEmpty();
        }

        @Override
        public String toString() {
            return "Values[hidden]";
        }
    }
}
