package dev.otpgate.delivery.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.util.UriUtils;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * A configured string with placeholders such as {@code {to}} or {@code {text}}, each value encoded for where
 * it lands: percent-encoded in a URL, escaped inside a JSON string, form-encoded in a form body, as is in a
 * header (where a line break is refused by the caller).
 */
final class Template {

    enum Escape {
        URL, JSON, FORM, NONE
    }

    static final Set<String> NAMES =
            Set.of("to", "to_digits", "from", "text", "code", "reference", "channel", "locale", "encoding");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_]+)\\}");

    private final String source;
    private final Escape escape;

    Template(String property, String source, Escape escape) {
        this.source = source;
        this.escape = escape;
        Matcher matcher = PLACEHOLDER.matcher(source);
        while (matcher.find()) {
            if (!NAMES.contains(matcher.group(1))) {
                throw new IllegalStateException(property + " uses an unknown placeholder {" + matcher.group(1)
                        + "}; known: " + NAMES.stream().sorted().map(n -> "{" + n + "}").toList());
            }
        }
    }

    String expand(Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(source);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.getOrDefault(matcher.group(1), "");
            matcher.appendReplacement(out, Matcher.quoteReplacement(encode(value == null ? "" : value)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private String encode(String value) {
        return switch (escape) {
            case URL -> UriUtils.encode(value, StandardCharsets.UTF_8);
            case JSON -> new String(JsonStringEncoder.getInstance().quoteAsCharArray(value));
            case FORM -> URLEncoder.encode(value, StandardCharsets.UTF_8);
            case NONE -> value;
        };
    }
}
