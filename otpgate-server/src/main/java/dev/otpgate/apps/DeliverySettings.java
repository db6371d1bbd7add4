package dev.otpgate.apps;

import dev.otpgate.platform.ApiProblem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How an app's codes are delivered: its default workflow, the sender id shown on SMS, the WebOTP domain, its
 * message template overrides and its test destinations. As a request every field is optional (a PATCH keeps
 * what is left out); as stored every field is resolved ({@link #DEFAULTS} fills what an app never set).
 *
 * @param defaultWorkflow the steps a verification runs when a start names neither {@code workflow} nor
 *        {@code channel}; empty means one step on the app's {@code default_channel}
 * @param senderId alphanumeric sender id (1–11 of A–Z a–z 0–9 space) or an E.164 number; null: the provider's
 * @param webotpDomain when set, SMS end with the WebOTP line {@code @domain #code}
 * @param templates overrides by channel, then locale: {@code {"sms": {"en": "{brand}: {code} ..."}}}
 * @param testDestinations destinations that get a fixed code and are never sent to a provider
 */
public record DeliverySettings(
        List<WorkflowStep> defaultWorkflow,
        String senderId,
        String webotpDomain,
        Map<String, Map<String, String>> templates,
        List<TestDestination> testDestinations) {

    public static final DeliverySettings DEFAULTS = new DeliverySettings(List.of(), null, null, Map.of(), List.of());

    /** Longest template override per channel, in characters. */
    public static final Map<String, Integer> TEMPLATE_LIMITS = Map.of("sms", 320, "voice", 500, "whatsapp", 500, "email", 4000);

    private static final Pattern SENDER_ALPHA = Pattern.compile("[A-Za-z0-9 ]{1,11}");
    private static final Pattern SENDER_NUMBER = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final Pattern DOMAIN = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");
    private static final Pattern TEMPLATE_LOCALE = Pattern.compile("[a-z]{2,3}(-[A-Z]{2})?");

    /** One step of a workflow: a channel and how long to wait for approval before the next step starts. */
    public record WorkflowStep(String channel, Integer timeoutSeconds) {}

    /**
     * A destination that always gets one fixed code and is never sent to a provider (app-store reviewers, tests).
     * A request names it by {@code to} and {@code code}; it is kept only as the destination's blind index, its
     * masked form and a keyed tag of the code (S-40, S-43), so neither the address nor the code is in the
     * database.
     *
     * @param index the destination's blind index, base64
     * @param codeTag the code's tag under the code key, base64, over {@link #codeInput}
     */
    public record TestDestination(String to, String code, String index, String masked, String codeTag) {

        /** As a request gives it. */
        public static TestDestination of(String to, String code) {
            return new TestDestination(to, code, null, null, null);
        }

        /** True once kept as index and tag, with nothing in clear. */
        public boolean sealed() {
            return to == null && code == null && index != null && codeTag != null;
        }

        /** What the code key tags for a fixed code: bound to the app, apart from verification codes. */
        public static byte[] codeInput(String appId, String code) {
            return ("otpgate-test-code-v1|" + appId.length() + ":" + appId + "|" + code.length() + ":" + code)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "TestDestination[hidden]";
        }
    }

    /** These settings over {@code base}: fields left out keep the base's values. Validates every field given. */
    DeliverySettings applyTo(DeliverySettings base, List<String> allowedChannels) {
        DeliverySettings from = base == null ? DEFAULTS : base;
        return new DeliverySettings(
                defaultWorkflow != null ? workflow("delivery.default_workflow", defaultWorkflow, allowedChannels) : from.defaultWorkflow,
                senderId != null ? sender(senderId) : from.senderId,
                webotpDomain != null ? domain(webotpDomain) : from.webotpDomain,
                templates != null ? templates(templates) : from.templates,
                testDestinations != null ? List.copyOf(testDestinations) : from.testDestinations);
    }

    /**
     * Validates a workflow: 1–4 steps, each an allowed channel, timeouts 10–3600 s (default 60, the last step's
     * default is the code's lifetime and may be left out).
     */
    public static List<WorkflowStep> workflow(String field, List<WorkflowStep> steps, List<String> allowedChannels) {
        if (steps.size() > 4) {
            throw ApiProblem.invalid(field, "may hold at most 4 steps");
        }
        for (int i = 0; i < steps.size(); i++) {
            WorkflowStep step = steps.get(i);
            if (step == null || step.channel() == null || !App.CHANNELS.contains(step.channel())) {
                throw ApiProblem.invalid(field + "[" + i + "].channel", "must be one of " + App.CHANNELS);
            }
            if (!allowedChannels.contains(step.channel())) {
                throw ApiProblem.invalid(field + "[" + i + "].channel", "must be one of allowed_channels " + allowedChannels);
            }
            if (step.timeoutSeconds() != null && (step.timeoutSeconds() < 10 || step.timeoutSeconds() > 3600)) {
                throw ApiProblem.invalid(field + "[" + i + "].timeout_seconds", "must be 10–3600");
            }
        }
        return List.copyOf(steps);
    }

    private static String sender(String value) {
        if (value.isEmpty()) {
            return null;
        }
        if (!SENDER_ALPHA.matcher(value).matches() && !SENDER_NUMBER.matcher(value).matches()) {
            throw ApiProblem.invalid("delivery.sender_id", "must be 1–11 letters, digits and spaces, or an E.164 number");
        }
        return value;
    }

    private static String domain(String value) {
        if (value.isEmpty()) {
            return null;
        }
        if (!DOMAIN.matcher(value).matches()) {
            throw ApiProblem.invalid("delivery.webotp_domain", "must be a lower-case host name such as example.com");
        }
        return value;
    }

    private static Map<String, Map<String, String>> templates(Map<String, Map<String, String>> value) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        value.forEach((channel, byLocale) -> {
            if (!TEMPLATE_LIMITS.containsKey(channel) || byLocale == null) {
                throw ApiProblem.invalid("delivery.templates", "keys must be channels " + App.CHANNELS);
            }
            Map<String, String> checked = new LinkedHashMap<>();
            byLocale.forEach((locale, text) -> {
                String field = "delivery.templates." + channel + "." + locale;
                if (!TEMPLATE_LOCALE.matcher(locale).matches()) {
                    throw ApiProblem.invalid(field, "the key must be a language tag such as en or pt-BR");
                }
                if (text == null || !text.contains("{code}")) {
                    throw ApiProblem.invalid(field, "must contain the {code} placeholder");
                }
                if (text.length() > TEMPLATE_LIMITS.get(channel)) {
                    throw ApiProblem.invalid(field, "must be at most " + TEMPLATE_LIMITS.get(channel) + " characters");
                }
                checked.put(locale, text);
            });
            out.put(channel, Map.copyOf(checked));
        });
        return Map.copyOf(out);
    }
}
