package dev.otpgate.delivery.engine;

import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.delivery.provider.OutboundMessage;
import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.apps.App;
import dev.otpgate.apps.DefenceSettings;
import dev.otpgate.apps.DeliverySettings;
import dev.otpgate.privacy.Destination;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.web.util.HtmlUtils;

/** Bundled templates, locale fallback, app overrides, SMS segment control, WebOTP and app-hash lines, voice and email. */
class MessageRendererTests {

    static final List<String> LOCALES = List.of("en", "es", "fr", "de", "it", "pt", "pt-PT", "nl", "pl", "tr", "id", "hi", "ar", "ja", "zh");
    static final List<String> CHANNELS = List.of("sms", "voice", "whatsapp", "email");
    static final Set<String> REQUIRED_KEYS = Set.of("approving", "warning", "minutes.other", "sms", "sms.short", "voice",
            "whatsapp", "email.subject", "email.text", "email.intro", "email.expiry");
    static final String CODE = "482913";

    final MessageRenderer renderer = new MessageRenderer();

    @ParameterizedTest
    @ValueSource(strings = {"en", "es", "fr", "de", "it", "pt", "nl", "pl", "tr", "id", "hi", "ar", "ja", "zh"})
    void bundleWhenALanguageIsShippedThenItTranslatesEveryMessage(String locale) throws Exception {
        Properties bundle = new Properties();
        try (var in = getClass().getClassLoader().getResourceAsStream("messages/otp_" + locale + ".properties")) {
            assertThat(in).as(locale).isNotNull();
            bundle.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        assertThat(bundle.stringPropertyNames()).containsAll(REQUIRED_KEYS);
        for (String key : List.of("sms", "voice", "whatsapp", "email.text")) {
            assertThat(bundle.getProperty(key)).as(locale + " " + key).contains("{brand}", "{code}", "{transaction}", "{warning}");
        }
        assertThat(bundle.getProperty("sms.short")).as(locale).contains("{brand}", "{code}", "{transaction}").doesNotContain("{warning}");
        if (!locale.equals("en")) {
            assertThat(bundle.getProperty("warning")).isNotEqualTo("Do not share this code with anyone.");
        }
    }

    @Test
    void renderWhenEveryBundledLocaleAndChannelThenBrandCodeMinutesTransactionAndWarningAreThere() {
        Map<String, String> transaction = new LinkedHashMap<>();
        transaction.put("amount", "42.00 EUR");
        transaction.put("payee", "Shop");
        for (String locale : LOCALES) {
            List<String> chain = MessageRenderer.locales(locale);
            String warning = renderer.message(chain, "warning");
            String approving = renderer.message(chain, "approving");
            for (String channel : CHANNELS) {
                OutboundMessage message = renderer.render(request(channel, locale, "Acme", transaction, null), app(DeliverySettings.DEFAULTS));
                String text = message.text();
                String what = locale + " " + channel + ": " + text;
                assertThat(text).as(what).contains("Acme", "10", approving, "amount: 42.00 EUR", "payee: Shop")
                        .doesNotContainPattern("\\{[a-z]+}");
                assertThat(message.code()).isEqualTo(CODE);
                assertThat(message.locale()).isEqualTo(locale);
                if (channel.equals("voice")) {
                    String separator = renderer.message(chain, "voice.separator");
                    assertThat(text).as(what).contains(String.join(separator, "4", "8", "2", "9", "1", "3")).doesNotContain(CODE);
                } else {
                    assertThat(text).as(what).contains(CODE);
                }
                if (channel.equals("sms")) {
                    assertThat(message.encoding()).isEqualTo(SmsText.encoding(text));
                    assertThat(message.segments()).isEqualTo(SmsText.segments(text));
                    // The warning goes only when it would have cost another segment.
                    if (!text.contains(warning)) {
                        assertThat(SmsText.segments(renderer.render(request("sms", locale, "Acme", Map.of(), null),
                                app(DeliverySettings.DEFAULTS)).text() + "\n" + approving + "\namount: 42.00 EUR\npayee: Shop\n" + warning))
                                .as(what).isGreaterThan(1);
                    }
                } else {
                    assertThat(text).as(what).contains(warning);
                    assertThat(message.encoding()).isNull();
                }
                if (channel.equals("email")) {
                    assertThat(message.subject()).as(what).contains("Acme").doesNotContain(CODE).doesNotContain("{");
                    assertThat(message.html()).as(what).contains(CODE, "Acme", HtmlUtils.htmlEscape(warning, "UTF-8"),
                            HtmlUtils.htmlEscape(approving, "UTF-8"), "42.00 EUR", "<html lang=\"" + locale + "\"")
                            .doesNotContainPattern("\\{[a-z]+}");
                } else {
                    assertThat(message.subject()).isNull();
                    assertThat(message.html()).isNull();
                }
            }
        }
    }

    @Test
    void renderWhenNoTransactionThenNoApprovingLineAndSmsKeepsTheWarning() {
        for (String locale : List.of("en", "fr", "de", "ja", "zh")) {
            List<String> chain = MessageRenderer.locales(locale);
            OutboundMessage sms = renderer.render(request("sms", locale, "Acme", Map.of(), null), app(DeliverySettings.DEFAULTS));
            assertThat(sms.text()).as(locale).doesNotContain(renderer.message(chain, "approving"))
                    .contains(renderer.message(chain, "warning")).doesNotContain("\n\n");
            assertThat(sms.segments()).isEqualTo(1);
        }
    }

    @Test
    void localesWhenARegionIsGivenThenRegionThenLanguageThenEnglish() {
        assertThat(MessageRenderer.locales("pt-BR")).containsExactly("pt-BR", "pt", "en");
        assertThat(MessageRenderer.locales("pt_br")).containsExactly("pt-BR", "pt", "en");
        assertThat(MessageRenderer.locales("fr")).containsExactly("fr", "en");
        assertThat(MessageRenderer.locales("en-GB")).containsExactly("en-GB", "en");
        assertThat(MessageRenderer.locales(null)).containsExactly("en");
        assertThat(MessageRenderer.locales("not a locale")).containsExactly("en");

        assertThat(render("sms", "pt-BR").text()).startsWith("Acme: seu código de verificação é 482913.");
        // pt-PT has its own file for what differs and takes the rest (the plural forms) from pt.
        assertThat(render("email", "pt-PT").text()).startsWith("Acme: o seu código de verificação é 482913. Expira dentro de 10 minutos.");
        assertThat(render("sms", "sv").text()).startsWith("Acme: your verification code is 482913.");
        assertThat(render("voice", "de-AT").text()).startsWith("Ihr Bestätigungscode für Acme lautet: 4, 8, 2, 9, 1, 3.");
    }

    @Test
    void renderWhenTheAppOverridesAChannelForTheLocaleOrItsLanguageThenTheOverrideWins() {
        DeliverySettings delivery = new DeliverySettings(List.of(), null, null, Map.of(
                "sms", Map.of("pt", "{brand} código: {code} ({minutes} min)", "en", "{brand} code {code}"),
                "email", Map.of("fr", "Bonjour,\n{brand} : {code} <valable {minutes} min>")), List.of());
        App app = app(delivery);

        assertThat(renderer.render(request("sms", "pt-BR", "Acme", Map.of(), null), app).text()).isEqualTo("Acme código: 482913 (10 min)");
        assertThat(renderer.render(request("sms", "en", "Acme", Map.of(), null), app).text()).isEqualTo("Acme code 482913");
        // English is what an unbundled language resolves to, so the English override serves it.
        assertThat(renderer.render(request("sms", "sv", "Acme", Map.of(), null), app).text()).isEqualTo("Acme code 482913");
        // A bundled language without an override of its own keeps its bundled template.
        assertThat(renderer.render(request("sms", "de", "Acme", Map.of(), null), app).text()).startsWith("Acme: Ihr Bestätigungscode lautet 482913.");
        // Other channels keep the bundled template.
        assertThat(renderer.render(request("voice", "pt-BR", "Acme", Map.of(), null), app).text()).startsWith("Seu código de verificação Acme é: 4, 8");
        // An override without {transaction} still carries the transaction lines.
        assertThat(renderer.render(request("sms", "en", "Acme", Map.of("amount", "5 EUR"), null), app).text())
                .isEqualTo("Acme code 482913\nYou are approving:\namount: 5 EUR");

        OutboundMessage email = renderer.render(request("email", "fr-CA", "Acme", Map.of(), null), app);
        assertThat(email.text()).isEqualTo("Bonjour,\nAcme : 482913 <valable 10 min>");
        assertThat(email.subject()).isEqualTo("Votre code de vérification Acme");
        assertThat(email.html()).contains("Bonjour,<br>\nAcme : 482913 &lt;valable 10 min&gt;");
    }

    @Test
    void voiceWhenTheAppOverridesItThenTheCodeIsStillSpokenDigitByDigit() {
        App app = app(new DeliverySettings(List.of(), null, null, Map.of("voice", Map.of("en", "{brand} here. Your code: {code}.")), List.of()));
        assertThat(renderer.render(request("voice", "en-US", "Acme", Map.of(), null), app).text())
                .isEqualTo("Acme here. Your code: 4, 8, 2, 9, 1, 3.");
    }

    @Test
    void smsWhenTheFullTextNeedsTwoSegmentsThenTheWarningGoesFirst() {
        Map<String, String> transaction = new LinkedHashMap<>();
        transaction.put("payee", "Example Shop Ltd");
        transaction.put("amount", "1,250.00 EUR");
        OutboundMessage sms = renderer.render(request("sms", "en", "Acme", transaction, null), app(DeliverySettings.DEFAULTS));
        assertThat(sms.text()).isEqualTo("Acme: your verification code is 482913. It expires in 10 minutes.\n"
                + "You are approving:\npayee: Example Shop Ltd\namount: 1,250.00 EUR");
        assertThat(SmsText.segments(sms.text() + "\nDo not share this code with anyone.")).isEqualTo(2);
        assertThat(sms.segments()).isEqualTo(1);
        assertThat(sms.encoding()).isEqualTo("GSM-7");
    }

    @Test
    void smsWhenEvenWithoutTheWarningItNeedsTwoSegmentsThenTheShortTemplateKeepsBrandCodeAndTransaction() {
        Map<String, String> transaction = new LinkedHashMap<>();
        transaction.put("payee", "Example Online Shop International Ltd");
        transaction.put("amount", "1,250.00 EUR");
        transaction.put("reference", "INV-2026-000123456");
        OutboundMessage sms = renderer.render(request("sms", "en", "Acme", transaction, null), app(DeliverySettings.DEFAULTS));
        String lines = "You are approving:\npayee: Example Online Shop International Ltd\namount: 1,250.00 EUR\nreference: INV-2026-000123456";
        assertThat(sms.text()).isEqualTo("Acme verification code is 482913 (10 min)\n" + lines);
        assertThat(SmsText.segments("Acme: your verification code is 482913. It expires in 10 minutes.\n" + lines)).isEqualTo(2);
        assertThat(sms.segments()).isEqualTo(1);

        transaction.put("note", "x".repeat(100));
        OutboundMessage tooLong = renderer.render(request("sms", "en", "Acme", transaction, null), app(DeliverySettings.DEFAULTS));
        // Nothing fits one segment: the most complete variant of the fewest segments goes. With the warning it
        // would take three; without it two, as the short one would.
        assertThat(tooLong.text()).isEqualTo("Acme: your verification code is 482913. It expires in 10 minutes.\n"
                + lines + "\nnote: " + "x".repeat(100));
        assertThat(tooLong.segments()).isEqualTo(2);
        assertThat(SmsText.segments(tooLong.text() + "\nDo not share this code with anyone.")).isEqualTo(3);
    }

    @Test
    void smsWhenTheTextNeedsUcs2ThenItIsReportedAndKeptToOneSegmentWhereItCanBe() {
        OutboundMessage es = renderer.render(request("sms", "es", "Acme", Map.of(), null), app(DeliverySettings.DEFAULTS));
        assertThat(es.encoding()).isEqualTo("UCS-2"); // ó is not in the GSM alphabet
        assertThat(es.segments()).isEqualTo(1);
        assertThat(es.text()).contains("Acme", CODE);

        OutboundMessage ja = renderer.render(request("sms", "ja", "Acme", Map.of(), null), app(DeliverySettings.DEFAULTS));
        assertThat(ja.text()).isEqualTo("【Acme】認証コードは 482913 です。10分間有効です。\nこのコードは誰にも教えないでください。");
        assertThat(ja.encoding()).isEqualTo("UCS-2");
        assertThat(ja.segments()).isEqualTo(1);

        OutboundMessage emojiBrand = renderer.render(request("sms", "en", "Acme 😀", Map.of(), null), app(DeliverySettings.DEFAULTS));
        assertThat(emojiBrand.encoding()).isEqualTo("UCS-2");
        // 67 UTF-16 units without the warning: one segment.
        assertThat(emojiBrand.text()).isEqualTo("Acme 😀: your verification code is 482913. It expires in 10 minutes.");
        assertThat(emojiBrand.segments()).isEqualTo(1);
    }

    @Test
    void smsWhenAWebOtpDomainIsSetThenTheLastLineIsAtDomainHashCode() {
        App app = app(new DeliverySettings(List.of(), null, "login.example.com", Map.of(), List.of()));
        OutboundMessage sms = renderer.render(request("sms", "en", "Acme", Map.of(), null), app);
        assertThat(sms.text()).isEqualTo("Acme: your verification code is 482913. It expires in 10 minutes.\n"
                + "Do not share this code with anyone.\n\n@login.example.com #482913");
        assertThat(sms.text().lines().toList().getLast()).isEqualTo("@login.example.com #482913");
    }

    @Test
    void smsWhenAnAppHashIsGivenThenItIsTheLastLine() {
        OutboundMessage sms = renderer.render(request("sms", "en", "Acme", Map.of(), "FA+9qCX9VSu"), app(DeliverySettings.DEFAULTS));
        assertThat(sms.text()).isEqualTo("Acme: your verification code is 482913. It expires in 10 minutes.\n"
                + "Do not share this code with anyone.\n\nFA+9qCX9VSu");
    }

    @Test
    void smsWhenBothWebOtpAndAnAppHashThenTheHashPrecedesTheWebOtpLineWhichStaysLast() {
        App app = app(new DeliverySettings(List.of(), null, "example.com", Map.of(), List.of()));
        OutboundMessage sms = renderer.render(request("sms", "en", "Acme", Map.of(), "FA+9qCX9VSu"), app);
        assertThat(sms.text()).isEqualTo("Acme: your verification code is 482913. It expires in 10 minutes.\n"
                + "Do not share this code with anyone.\n\nFA+9qCX9VSu\n@example.com #482913");
        // The trailer counts towards the segment: with a long transaction the warning goes, the lines stay.
        OutboundMessage longer = renderer.render(request("sms", "en", "Acme", Map.of("payee", "Example Shop Ltd"), "FA+9qCX9VSu"), app);
        assertThat(longer.text()).isEqualTo("Acme: your verification code is 482913. It expires in 10 minutes.\n"
                + "You are approving:\npayee: Example Shop Ltd\n\nFA+9qCX9VSu\n@example.com #482913");
        assertThat(longer.segments()).isEqualTo(1);
        // An override gets the same trailer.
        App overridden = app(new DeliverySettings(List.of(), null, "example.com", Map.of("sms", Map.of("en", "{code} is your code")), List.of()));
        assertThat(renderer.render(request("sms", "en", "Acme", Map.of(), "FA+9qCX9VSu"), overridden).text())
                .isEqualTo("482913 is your code\n\nFA+9qCX9VSu\n@example.com #482913");
    }

    @Test
    void voiceWhenRenderedThenTheCodeIsSpokenDigitByDigit() {
        assertThat(render("voice", "en").text()).isEqualTo(
                "Your Acme verification code is: 4, 8, 2, 9, 1, 3. It expires in 10 minutes.\nDo not share this code with anyone.");
        assertThat(render("voice", "ja").text()).startsWith("Acmeの認証コードは、4、8、2、9、1、3、です。10分間有効です。");
        assertThat(render("voice", "ar").text()).contains("4، 8، 2، 9، 1، 3").contains("10 دقائق");
    }

    @Test
    void minutesWhenTheLanguageHasSeveralPluralFormsThenTheRightOneIsUsed() {
        assertThat(render("sms", "en", 60).text()).contains("It expires in 1 minute.");
        assertThat(render("sms", "pl", 120).text()).contains("Wygasa za 2 minuty.");
        assertThat(render("sms", "pl", 300).text()).contains("Wygasa za 5 minut.");
        assertThat(render("sms", "pl", 22 * 60).text()).contains("Wygasa za 22 minuty.");
        assertThat(render("sms", "pl", 60).text()).contains("Wygasa za 1 minutę.");
        assertThat(render("email", "ar", 120).text()).contains("خلال دقيقتين.");
        assertThat(render("email", "ar", 15 * 60).text()).contains("خلال 15 دقيقة.");
        // A TTL that is not whole minutes rounds up: the message never promises less time than there is.
        assertThat(render("sms", "en", 61).text()).contains("It expires in 2 minutes.");
    }

    @Test
    void emailWhenATransactionValueHoldsMarkupThenTheHtmlPartEscapesIt() {
        Map<String, String> transaction = new LinkedHashMap<>();
        transaction.put("payee<b>", "<script>alert('x')</script>");
        OutboundMessage email = renderer.render(request("email", "en", "A&B \"Corp\" <x>", transaction, null), app(DeliverySettings.DEFAULTS));
        assertThat(email.html())
                .doesNotContain("<script>", "<b>", "<x>", "A&B")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "payee&lt;b&gt;", "A&amp;B &quot;Corp&quot; &lt;x&gt;");
        assertThat(email.text()).contains("payee<b>: <script>alert('x')</script>"); // plain text is not HTML
        assertThat(email.subject()).isEqualTo("Your A&B \"Corp\" <x> verification code");
        assertThat(renderer.render(request("email", "ar", "Acme", Map.of(), null), app(DeliverySettings.DEFAULTS)).html())
                .contains("<html lang=\"ar\" dir=\"rtl\">");
        assertThat(renderer.render(request("email", "de-AT", "Acme", Map.of(), null), app(DeliverySettings.DEFAULTS)).html())
                .contains("<html lang=\"de-AT\" dir=\"ltr\">");
        // A language that is not bundled is written in English, and the page says so.
        assertThat(renderer.render(request("email", "sv", "Acme", Map.of(), null), app(DeliverySettings.DEFAULTS)).html())
                .contains("<html lang=\"en\" dir=\"ltr\">", "Your Acme verification code is:");
    }

    @Test
    void renderWhenTheBrandHoldsAPlaceholderThenItIsNotReplaced() {
        OutboundMessage sms = renderer.render(request("sms", "en", "{code}", Map.of(), null), app(DeliverySettings.DEFAULTS));
        assertThat(sms.text()).startsWith("{code}: your verification code is 482913.");
    }

    @Test
    void renderWhenTheAppHasASenderIdThenItIsTheFrom() {
        App app = app(new DeliverySettings(List.of(), "Acme", null, Map.of(), List.of()));
        OutboundMessage sms = renderer.render(request("sms", "en", "Acme", Map.of(), null), app);
        assertThat(sms.from()).isEqualTo("Acme");
        assertThat(sms.to()).isEqualTo("+14155550123");
        assertThat(sms.reference()).isEqualTo("vrf_test/2");
        assertThat(renderer.render(request("sms", "en", "Acme", Map.of(), null), app(DeliverySettings.DEFAULTS)).from()).isNull();
    }

    OutboundMessage render(String channel, String locale) {
        return render(channel, locale, 600);
    }

    OutboundMessage render(String channel, String locale, int ttlSeconds) {
        DeliveryRequest request = new DeliveryRequest("app_test", "vrf_test", 2, channel, destination(channel), CODE, "Acme",
                ttlSeconds, locale, Map.of(), null, false, Instant.now(), null);
        return renderer.render(request, app(DeliverySettings.DEFAULTS));
    }

    static DeliveryRequest request(String channel, String locale, String brand, Map<String, String> transaction, String appHash) {
        return new DeliveryRequest("app_test", "vrf_test", 2, channel, destination(channel), CODE, brand, 600, locale,
                transaction, appHash, false, Instant.now(), null);
    }

    static Destination destination(String channel) {
        return channel.equals("email")
                ? new Destination(Destination.Type.EMAIL, "jane@example.com", null)
                : new Destination(Destination.Type.PHONE, "+14155550123", "US");
    }

    static App app(DeliverySettings delivery) {
        Instant now = Instant.now();
        return new App("app_test", "Test", "Acme", 6, 600, 5, 3, 30, List.of("sms", "voice", "whatsapp", "email"), "sms", "en",
                1, 5, delivery, DefenceSettings.DEFAULTS, now, now);
    }
}
