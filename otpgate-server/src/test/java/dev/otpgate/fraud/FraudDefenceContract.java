package dev.otpgate.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import dev.otpgate.support.ApiClient.Response;
import dev.otpgate.support.ServerTestSupport;
import dev.otpgate.support.TestApps.TestApp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;

/**
 * The fraud defences over real HTTPS (subclasses run them on H2 and on PostgreSQL): destination rules (S-34), SMS-pumping flags and blocks from
 * synthetic traffic (S-35), spend caps, and that the guards add no SQL statement to a start. The detector is run
 * by the test rather than by its timer, so each scenario is decided by the traffic it sent.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.port=0", "management.server.port=0", "db-scheduler.polling-interval=1s",
                "otpgate.fraud.min-starts=6", "otpgate.fraud.evaluate-interval=1h",
                "otpgate.fraud.prices.US.sms=0.04", "otpgate.fraud.prices.default.sms=0.5"})
@Import(StatementCounter.class)
abstract class FraudDefenceContract extends ServerTestSupport {

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    /**
     * Area codes no other scenario of this class uses, so every scenario has prefixes of its own. Counted per
     * subclass: each runs against a database of its own.
     */
    private static final java.util.Map<Class<?>, AtomicInteger> NEXT_AREA = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int[] AREAS = {201, 202, 212, 213, 214, 303, 305, 312, 404, 415, 503, 512, 602, 617, 702, 713,
            718, 805, 818, 919, 206, 210, 215, 216, 301, 310, 313, 314, 412, 414};

    @Autowired
    FraudJobs jobs;

    @Autowired
    MeterRegistry meters;

    @Autowired
    dev.otpgate.apps.AppDirectory apps;

    @Autowired
    dev.otpgate.privacy.Destinations destinations;

    @Autowired
    java.util.List<dev.otpgate.verification.SendRule> rules;

    /** Fictional North American 555-01xx numbers in an area code (prefix {@code +1} and 4 digits) of its own. */
    private final class Range {
        final int area = AREAS[NEXT_AREA.computeIfAbsent(FraudDefenceContract.this.getClass(), type -> new AtomicInteger())
                .getAndIncrement()];

        String number(int n) {
            return String.format("+1%d5550%03d", area, 100 + n);
        }
    }

    private TestApp app(Map<String, Object> defences, List<String> channels) {
        return fixtures.app(Map.of("resend_cooldown_seconds", 0, "allowed_channels", channels, "defences", defences));
    }

    private Response start(TestApp app, String to, String channel) {
        Map<String, Object> body = new HashMap<>(Map.of("to", to));
        if (channel != null) {
            body.put("channel", channel);
        }
        return api.post("/v1/verifications", app.key(), body);
    }

    /** libphonenumber's example number of {@code type} in {@code region}, or in the first region that has one. */
    private static String example(String region, PhoneNumberType type) {
        java.util.stream.Stream<String> regions = java.util.stream.Stream.concat(java.util.stream.Stream.of(region),
                PHONES.getSupportedRegions().stream().sorted());
        return regions.map(r -> PHONES.getExampleNumberForType(r, type))
                .filter(number -> number != null && PHONES.isValidNumber(number) && PHONES.getNumberType(number) == type)
                .findFirst().map(number -> PHONES.format(number, PhoneNumberFormat.E164)).orElseThrow();
    }

    private static void assertProblem(Response response, int status, String slug) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.text("type")).isEqualTo("https://otpgate.dev/problems/" + slug);
    }

    // --- S-34: destination rules -------------------------------------------------------------------------------

    @Test
    void s34CountryOutsideTheAllowlistIsRefusedWithTheCountry() {
        TestApp app = app(Map.of("allowed_countries", List.of("GB")), List.of("sms", "whatsapp"));
        Response refused = start(app, new Range().number(0), null);
        assertProblem(refused, 403, "country-not-allowed");
        assertThat(refused.text("country")).isEqualTo("US");
        assertThat(refused.body()).doesNotContain("5550100");
        assertThat(start(app, new Range().number(0), "whatsapp").status()).isEqualTo(403);

        assertThat(start(app, example("GB", PhoneNumberType.MOBILE), null).status()).isEqualTo(201);
    }

    @Test
    void s34EmptyAllowlistSendsToEveryCountry() {
        TestApp app = app(Map.of(), List.of("sms"));
        assertThat(start(app, example("GB", PhoneNumberType.MOBILE), null).status()).isEqualTo(201);
        assertThat(start(app, example("DE", PhoneNumberType.MOBILE), null).status()).isEqualTo(201);
        assertThat(start(app, new Range().number(0), null).status()).isEqualTo(201);
    }

    @Test
    void s34PremiumSharedCostUanPersonalAndPagerNumbersAreRefusedForSmsAndVoice() {
        TestApp app = app(Map.of(), List.of("sms", "voice", "whatsapp"));
        for (PhoneNumberType type : List.of(PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.UAN,
                PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER)) {
            String number = example("GB", type);
            for (String channel : List.of("sms", "voice")) {
                Response refused = start(app, number, channel);
                assertProblem(refused, 422, "undeliverable-destination");
                assertThat(refused.text("number_type")).isEqualTo(type.name().toLowerCase(java.util.Locale.ROOT));
                assertThat(refused.body()).doesNotContain(number.substring(3));
            }
        }
        // WhatsApp is not subject to the number-type rules.
        assertThat(start(app, example("GB", PhoneNumberType.PREMIUM_RATE), "whatsapp").status()).isEqualTo(201);
    }

    @Test
    void s34FixedLinesGetVoiceButNotSmsAndVoipOnlyWhenAllowed() {
        String fixed = example("GB", PhoneNumberType.FIXED_LINE);
        String voip = example("GB", PhoneNumberType.VOIP);
        TestApp noVoip = app(Map.of("voip_allowed", false), List.of("sms", "voice"));
        Response sms = start(noVoip, fixed, "sms");
        assertProblem(sms, 422, "undeliverable-destination");
        assertThat(sms.text("number_type")).isEqualTo("fixed_line");
        assertThat(start(noVoip, fixed, "voice").status()).isEqualTo(201);
        Response refusedVoip = start(noVoip, voip, "sms");
        assertProblem(refusedVoip, 422, "undeliverable-destination");
        assertThat(refusedVoip.text("number_type")).isEqualTo("voip");
        assertProblem(start(noVoip, voip, "voice"), 422, "undeliverable-destination");

        TestApp withVoip = app(Map.of("voip_allowed", true), List.of("sms", "voice"));
        assertThat(start(withVoip, voip, "sms").status()).isEqualTo(201);
        // Numbers that may be fixed or mobile (all of North America) are allowed.
        assertThat(start(withVoip, new Range().number(0), "sms").status()).isEqualTo(201);
    }

    // --- S-35: SMS pumping -------------------------------------------------------------------------------------

    /** Starts {@code count} non-adjacent numbers of a range and never approves them. */
    private void pump(TestApp app, Range range, int count) {
        for (int i = 0; i < count; i++) {
            Response started = start(app, range.number(i * 3), null);
            assertThat(started.status()).as(started.body()).isEqualTo(201);
        }
    }

    /** Starts and approves {@code count} non-adjacent numbers of a range, as real users would. */
    private void normalTraffic(TestApp app, Range range, int count) {
        for (int i = 0; i < count; i++) {
            String to = range.number(i * 3);
            Response started = start(app, to, null);
            assertThat(started.status()).as(started.body()).isEqualTo(201);
            Response approved = api.post("/v1/verifications/" + started.text("id") + "/check", app.key(),
                    Map.of("code", fixtures.codeFor(to)));
            assertThat(approved.text("status")).isEqualTo("approved");
        }
    }

    private List<JsonNode> blocksOf(String key) {
        Response list = api.get("/v1/fraud/blocks", key);
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        list.json().get("blocks").forEach(out::add);
        return out;
    }

    private double flags(String appId, String reason) {
        Counter counter = meters.find("otpgate.fraud.flags").tag("app", appId).tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void s35PumpingBurstIsBlockedInBlockModeWhileConvertingTrafficPasses() {
        TestApp app = app(Map.of("fraud_mode", "block"), List.of("sms"));
        Range pumped = new Range();
        Range normal = new Range();
        pump(app, pumped, 8);
        normalTraffic(app, normal, 6);
        jobs.evaluate();

        Response refused = start(app, pumped.number(40), null);
        assertProblem(refused, 403, "fraud-blocked");
        assertThat(refused.text("reason")).isEqualTo("volume-spike");
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(refused.body()).doesNotContain(pumped.number(40).substring(2));
        assertThat(start(app, normal.number(40), null).status()).isEqualTo(201);

        List<JsonNode> blocks = blocksOf(app.key());
        assertThat(blocks).hasSize(1);
        JsonNode block = blocks.getFirst();
        assertThat(block.get("reason").asString()).isEqualTo("volume-spike");
        assertThat(block.get("action").asString()).isEqualTo("blocked");
        assertThat(block.get("active").asBoolean()).isTrue();
        assertThat(block.get("starts").asInt()).isEqualTo(8);
        assertThat(block.get("approvals").asInt()).isZero();
        assertThat(block.get("baseline").asDouble()).isZero();
        assertThat(block.get("factor").asDouble()).isEqualTo(5.0);
        assertThat(block.get("prefix").asString()).isEqualTo("+1" + pumped.area + "5");
        assertThat(flags(app.id(), "volume-spike")).isEqualTo(1);
        assertThat(meters.find("otpgate.fraud.blocks").tag("app", app.id()).counter().count()).isEqualTo(1);

        // Evaluating again neither flags the same cause twice nor blocks the converting range.
        jobs.evaluate();
        assertThat(blocksOf(app.key())).hasSize(1);

        // The block ends by itself after the block duration (1 h by default).
        clock.advance(Duration.ofMinutes(61));
        assertThat(start(app, pumped.number(43), null).status()).isEqualTo(201);
    }

    @Test
    void s35PumpingBurstIsOnlyFlaggedInMonitorMode() {
        TestApp app = app(Map.of("fraud_mode", "monitor"), List.of("sms"));
        Range pumped = new Range();
        pump(app, pumped, 8);
        jobs.evaluate();

        assertThat(start(app, pumped.number(40), null).status()).isEqualTo(201);
        List<FraudSuspected> suspected = events.of(FraudSuspected.class).stream()
                .filter(event -> event.appId().equals(app.id())).toList();
        assertThat(suspected).hasSize(1);
        assertThat(suspected.getFirst().reason()).isEqualTo("volume-spike");
        assertThat(suspected.getFirst().action()).isEqualTo("flagged");
        assertThat(suspected.getFirst().starts()).isEqualTo(8);
        assertThat(flags(app.id(), "volume-spike")).isEqualTo(1);
        assertThat(meters.find("otpgate.fraud.blocks").tag("app", app.id()).counter()).isNull();

        List<JsonNode> flagged = blocksOf(app.key());
        assertThat(flagged).hasSize(1);
        assertThat(flagged.getFirst().get("action").asString()).isEqualTo("flagged");
        assertThat(flagged.getFirst().get("active").asBoolean()).isFalse();
    }

    @Test
    void s35OffModeNeitherFlagsNorBlocks() {
        TestApp app = app(Map.of("fraud_mode", "off"), List.of("sms"));
        pump(app, new Range(), 8);
        jobs.evaluate();
        assertThat(blocksOf(app.key())).isEmpty();
        assertThat(flags(app.id(), "volume-spike")).isZero();
    }

    @Test
    void s35TrafficWithinItsBaselineIsNotASpike() {
        TestApp app = app(Map.of("fraud_mode", "block"), List.of("sms"));
        Range steady = new Range();
        // Heavier traffic half an hour ago, in the earlier windows that make the baseline.
        clock.fixAt(Instant.now().minus(Duration.ofMinutes(30)));
        for (int i = 0; i < 12; i++) {
            assertThat(start(app, steady.number(i * 3 + 1), null).status()).isEqualTo(201);
        }
        clock.reset();
        pump(app, steady, 8);
        jobs.evaluate();
        // 8 starts against a baseline of 12/6 = 2 per window: within the factor of 5.
        assertThat(start(app, steady.number(50), null).status()).isEqualTo(201);
        assertThat(blocksOf(app.key())).isEmpty();
    }

    @Test
    void s35NewCountryBurstIsFlagged() {
        TestApp app = app(Map.of("fraud_mode", "monitor"), List.of("sms"));
        // The app has sent to the US for a while.
        clock.fixAt(Instant.now().minus(Duration.ofMinutes(40)));
        assertThat(start(app, new Range().number(0), null).status()).isEqualTo(201);
        clock.reset();
        for (int i = 0; i < 6; i++) {
            // Six different GB mobile ranges, so no single prefix reaches the volume: only the country does.
            String number = "+447" + (400 + i * 10) + "12345" + i;
            assertThat(start(app, number, null).status()).isEqualTo(201);
        }
        jobs.evaluate();
        List<JsonNode> flagged = blocksOf(app.key());
        assertThat(flagged).extracting(node -> node.get("reason").asString()).contains("new-country");
        JsonNode country = flagged.stream().filter(node -> node.get("reason").asString().equals("new-country")).findFirst().orElseThrow();
        assertThat(country.get("country").asString()).isEqualTo("GB");
        assertThat(country.get("starts").asInt()).isEqualTo(6);
    }

    @Test
    void s35SequentialNumbersAreFlaggedAndBlocked() throws InterruptedException {
        TestApp app = app(Map.of("fraud_mode", "block"), List.of("sms"));
        Range range = new Range();
        for (int i = 0; i < 4; i++) {
            assertThat(start(app, range.number(50 + i), null).status()).isEqualTo(201);
        }
        Response fifth = start(app, range.number(54), null);
        assertProblem(fifth, 403, "fraud-blocked");
        assertThat(fifth.text("reason")).isEqualTo("sequential-numbers");

        JsonNode block = awaitBlock(app.key(), "sequential-numbers");
        assertThat(block.get("action").asString()).isEqualTo("blocked");
        assertThat(block.get("prefix").asString()).isEqualTo("+1" + range.area + "5");
        assertProblem(start(app, range.number(80), null), 403, "fraud-blocked");
    }

    private JsonNode awaitBlock(String key, String reason) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode block : blocksOf(key)) {
                if (block.get("reason").asString().equals(reason)) {
                    return block;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + reason + " block within 10 s");
    }

    @Test
    void s35OperatorLiftsABlockAndStartsPassAgain() {
        TestApp app = app(Map.of("fraud_mode", "block"), List.of("sms"));
        Range pumped = new Range();
        pump(app, pumped, 8);
        jobs.evaluate();
        assertProblem(start(app, pumped.number(40), null), 403, "fraud-blocked");
        String id = blocksOf(app.key()).getFirst().get("id").asString();

        assertThat(api.delete("/v1/fraud/blocks/" + id, ADMIN_KEY).status()).isEqualTo(204);
        assertThat(start(app, pumped.number(43), null).status()).isEqualTo(201);
        JsonNode lifted = blocksOf(app.key()).getFirst();
        assertThat(lifted.get("active").asBoolean()).isFalse();
        assertThat(lifted.get("lifted_at").isNull()).isFalse();

        // The lifted cause is not blocked again by the next run within the window.
        jobs.evaluate();
        jobs.refresh();
        assertThat(start(app, pumped.number(46), null).status()).isEqualTo(201);
    }

    @Test
    void s28AnAppKeySeesAndLiftsOnlyItsOwnBlocks() {
        TestApp victim = app(Map.of("fraud_mode", "block"), List.of("sms"));
        TestApp other = app(Map.of("fraud_mode", "block"), List.of("sms"));
        Range pumped = new Range();
        pump(victim, pumped, 8);
        jobs.evaluate();
        String id = blocksOf(victim.key()).getFirst().get("id").asString();

        assertThat(blocksOf(other.key())).extracting(node -> node.get("id").asString()).doesNotContain(id);
        String otherManager = fixtures.key(other.id(), List.of("fraud:manage"));
        Response foreign = api.delete("/v1/fraud/blocks/" + id, otherManager);
        assertProblem(foreign, 404, "not-found");
        assertProblem(api.delete("/v1/fraud/blocks/frd_unknown", otherManager), 404, "not-found");
        assertProblem(start(victim, pumped.number(40), null), 403, "fraud-blocked");

        assertThat(blocksOf(ADMIN_KEY)).extracting(node -> node.get("id").asString()).contains(id);
        assertThat(api.delete("/v1/fraud/blocks/" + id, fixtures.key(victim.id(), List.of("fraud:manage"))).status())
                .isEqualTo(204);
        assertThat(start(victim, pumped.number(43), null).status()).isEqualTo(201);

        String checkOnly = fixtures.key(other.id(), List.of("verifications:check"));
        assertThat(api.get("/v1/fraud/blocks", checkOnly).status()).isEqualTo(403);
        assertThat(api.get("/v1/fraud/blocks", null).status()).isEqualTo(401);
    }

    @Test
    void liftWhenTheKeyHoldsOnlyVerificationsStartThenForbiddenAndTheBlockStays_S31() {
        TestApp app = app(Map.of("fraud_mode", "block"), List.of("sms"));
        Range pumped = new Range();
        pump(app, pumped, 8);
        jobs.evaluate();
        String id = blocksOf(app.key()).getFirst().get("id").asString();

        // The app's default key (verifications:start and :check) reads its blocks but cannot lift them.
        assertProblem(api.delete("/v1/fraud/blocks/" + id, app.key()), 403, "forbidden");
        assertProblem(start(app, pumped.number(40), null), 403, "fraud-blocked");
        assertThat(blocksOf(app.key()).getFirst().get("active").asBoolean()).isTrue();
        // fraud:manage alone lifts but does not read: reading stays with verifications:start.
        String manager = fixtures.key(app.id(), List.of("fraud:manage"));
        assertThat(api.get("/v1/fraud/blocks", manager).status()).isEqualTo(403);
        assertThat(api.delete("/v1/fraud/blocks/" + id, manager).status()).isEqualTo(204);
        assertThat(start(app, pumped.number(43), null).status()).isEqualTo(201);
    }

    @Test
    void fraudMetricsCarryOnlyAppAndReason() {
        TestApp app = app(Map.of("fraud_mode", "monitor"), List.of("sms"));
        pump(app, new Range(), 8);
        jobs.evaluate();
        Counter counter = meters.find("otpgate.fraud.flags").tag("app", app.id()).counter();
        assertThat(counter).isNotNull();
        assertThat(counter.getId().getTags()).extracting(Tag::getKey).containsExactlyInAnyOrder("app", "reason");
    }

    @Autowired
    CountryAllowlistWarning allowlistWarning;

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void s34AppsWithoutAnAllowlistAreNamedOnceAtStartupNotPerRequest(
            org.springframework.boot.test.system.CapturedOutput output) {
        TestApp open = app(Map.of(), List.of("sms"));
        TestApp closed = app(Map.of("allowed_countries", List.of("US")), List.of("sms"));
        assertThat(start(open, new Range().number(0), null).status()).isEqualTo(201);
        assertThat(output.getOut()).doesNotContain("no destination-country allowlist");

        // What runs on ApplicationReadyEvent, run again now that apps exist.
        allowlistWarning.warn();
        String warning = output.getOut().lines().filter(line -> line.contains("no destination-country allowlist"))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(warning).contains(open.id()).doesNotContain(closed.id()).contains("WARN");
    }

    // --- Spend caps --------------------------------------------------------------------------------------------

    @Test
    void budgetExhaustedRefusesSmsUntilUtcMidnightWhileEmailStillWorks() {
        // US SMS costs 0.04 by the test's price table (the default of 0.5 would refuse the first start).
        TestApp app = app(Map.of("daily_budget", 0.1), List.of("sms", "email"));
        Range range = new Range();
        assertThat(start(app, range.number(0), null).status()).isEqualTo(201);
        assertThat(start(app, range.number(3), null).status()).isEqualTo(201);
        Instant before = clock.instant();
        Response refused = start(app, range.number(6), null);
        assertProblem(refused, 429, "budget-exhausted");
        long untilMidnight = Duration.between(before,
                LocalDate.ofInstant(before, ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()).toSeconds();
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(untilMidnight - 5, untilMidnight + 5);

        assertThat(start(app, "budget-" + app.id().substring(4, 10) + "@example.com", "email").status()).isEqualTo(201);

        // The spend is written in the background and shared: after a flush and a reload it still counts.
        jobs.evaluate();
        jobs.refresh();
        assertProblem(start(app, range.number(9), null), 429, "budget-exhausted");

        // A new UTC day starts a new budget.
        clock.advance(Duration.ofSeconds(untilMidnight + 60));
        assertThat(start(app, range.number(12), null).status()).isEqualTo(201);
    }

    // --- The start's SQL budget --------------------------------------------------------------------------------

    @Test
    void fraudGuardsAddNoSqlStatementToAStart() {
        TestApp plain = app(Map.of("fraud_mode", "off"), List.of("sms"));
        TestApp guarded = app(Map.of("fraud_mode", "block", "allowed_countries", List.of("US"), "daily_budget", 100,
                "voip_allowed", false), List.of("sms"));
        Range range = new Range();
        start(plain, range.number(90), null);
        start(guarded, range.number(91), null);

        // Every send rule, run on this thread: no statement at all.
        dev.otpgate.apps.App app = apps.find(guarded.id()).orElseThrow();
        dev.otpgate.privacy.Destination destination = destinations.parse(range.number(93));
        StatementCounter.EXECUTED.clear();
        dev.otpgate.verification.SendAttempt attempt = new dev.otpgate.verification.SendAttempt(app, null, destination,
                destinations.index(destination), dev.otpgate.apps.Channel.SMS,
                dev.otpgate.verification.SendAttempt.Origin.START, false, null, null);
        assertThat(rules).allSatisfy(rule -> assertThat(rule.evaluate(attempt))
                .isInstanceOf(dev.otpgate.verification.SendDecision.Allowed.class));
        long self = Thread.currentThread().threadId();
        assertThat(StatementCounter.EXECUTED).noneMatch(executed -> executed.threadId() == self);

        // A whole start over HTTPS: the same statements with and without the fraud defences.
        int[] plainCounts = statementsOfOneStart(plain, range.number(95));
        int[] guardedCounts = statementsOfOneStart(guarded, range.number(97));
        assertThat(guardedCounts).isEqualTo(plainCounts);
        assertThat(guardedCounts[1]).as("statements in the start's transaction").isLessThanOrEqualTo(3);
        System.out.printf("statements per start: %d on the request thread, %d in its transaction%n",
                guardedCounts[0], guardedCounts[1]);
    }

    /** {statements on the request's thread, of which inside a transaction}. */
    private int[] statementsOfOneStart(TestApp app, String to) {
        StatementCounter.EXECUTED.clear();
        assertThat(start(app, to, null).status()).isEqualTo(201);
        List<StatementCounter.Executed> executed = List.copyOf(StatementCounter.EXECUTED);
        long requestThread = executed.stream().filter(e -> e.sql().strip().toLowerCase(java.util.Locale.ROOT).startsWith("insert into verifications"))
                .findFirst().orElseThrow().threadId();
        List<StatementCounter.Executed> mine = executed.stream().filter(e -> e.threadId() == requestThread).toList();
        return new int[] {mine.size(), (int) mine.stream().filter(StatementCounter.Executed::inTransaction).count()};
    }
}
