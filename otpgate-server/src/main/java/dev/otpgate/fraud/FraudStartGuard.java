package dev.otpgate.fraud;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import dev.otpgate.apps.App;
import dev.otpgate.apps.DefenceSettings;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.privacy.Destination;
import dev.otpgate.privacy.Destinations;
import dev.otpgate.verification.StartGuard;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The fraud rules a start passes before its transaction, in this order: the app's country allowlist and the
 * refused number types (S-34), blocks on the number's prefix or country and runs of sequential numbers (S-35),
 * and the app's daily budget for SMS and voice. It reads only memory: the app the start already loaded, the
 * blocks and spend views the background jobs keep fresh, and this node's recent last digits per prefix.
 * It runs before the rate limits, so a refused destination does not use up a bucket.
 */
@Component
@Order(50)
class FraudStartGuard implements StartGuard {

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    /** Never worth a code by SMS or voice: billed to the sender at a premium, or not a subscriber's line. */
    private static final Set<PhoneNumberType> REFUSED = EnumSet.of(PhoneNumberType.PREMIUM_RATE,
            PhoneNumberType.SHARED_COST, PhoneNumberType.UAN, PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER,
            PhoneNumberType.UNKNOWN);

    private final Destinations destinations;
    private final FraudBlocks blocks;
    private final FraudLedger ledger;
    private final SequentialNumbers sequential;
    private final FraudActions actions;
    private final FraudJobs jobs;
    private final FraudProperties properties;
    private final Clock clock;

    FraudStartGuard(Destinations destinations, FraudBlocks blocks, FraudLedger ledger, SequentialNumbers sequential,
            FraudActions actions, FraudJobs jobs, FraudProperties properties, Clock clock) {
        this.destinations = destinations;
        this.blocks = blocks;
        this.ledger = ledger;
        this.sequential = sequential;
        this.actions = actions;
        this.jobs = jobs;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public void check(StartAttempt attempt) {
        App app = attempt.app();
        DefenceSettings defences = app.defences();
        Destination destination = attempt.destination();
        String channel = attempt.channel();
        boolean phoneChannel = "sms".equals(channel) || "voice".equals(channel);
        Instant now = clock.instant();
        if (destination.isPhone()) {
            String country = destination.regionCode();
            if (!defences.allowedCountries().isEmpty() && !defences.allowedCountries().contains(country)) {
                throw new ApiProblem(HttpStatus.FORBIDDEN, "country-not-allowed", "Country not allowed",
                        "this app does not send to phone numbers in " + country).with("country", country);
            }
            if (phoneChannel) {
                checkNumberType(destination, channel, Boolean.TRUE.equals(defences.voipAllowed()));
            }
            String prefix = destinations.prefix(destination);
            if (!"off".equals(defences.fraudMode()) && prefix != null) {
                if ("block".equals(defences.fraudMode())) {
                    blocks.blocking(app.id(), prefix, country, now).ifPresent(block -> {
                        throw blocked(block, now);
                    });
                }
                if (sequential.record(app.id(), prefix, destination.value(), now)) {
                    String mode = defences.fraudMode();
                    int run = properties.sequentialRun();
                    jobs.submit("sequential-numbers", () -> actions.raise(app.id(), mode, "sequential-numbers", prefix,
                            country, run, 0, 0, properties.factor()));
                    if ("block".equals(mode)) {
                        throw new ApiProblem(HttpStatus.FORBIDDEN, "fraud-blocked", "Blocked as suspected fraud",
                                "starts to this number range are blocked as suspected SMS pumping")
                                .with("reason", "sequential-numbers");
                    }
                }
            }
        }
        if (phoneChannel && defences.dailyBudget() != null) {
            checkBudget(app, destination, channel, now);
        }
    }

    private static void checkNumberType(Destination destination, String channel, boolean voipAllowed) {
        PhoneNumberType type;
        try {
            type = PHONES.getNumberType(PHONES.parse(destination.value(), "ZZ"));
        } catch (NumberParseException e) {
            type = PhoneNumberType.UNKNOWN;
        }
        boolean refused = REFUSED.contains(type)
                || (type == PhoneNumberType.FIXED_LINE && "sms".equals(channel))
                || (type == PhoneNumberType.VOIP && !voipAllowed);
        if (refused) {
            String name = type.name().toLowerCase(Locale.ROOT);
            throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "undeliverable-destination", "Undeliverable destination",
                    "codes are not sent by " + channel + " to " + name.replace('_', ' ') + " numbers")
                    .with("number_type", name);
        }
    }

    private void checkBudget(App app, Destination destination, String channel, Instant now) {
        LocalDate today = FraudLedger.day(now);
        BigDecimal price = properties.price(destination.regionCode(), channel);
        BigDecimal after = ledger.spent(app.id(), today).add(price);
        if (after.compareTo(app.defences().dailyBudget()) > 0) {
            Instant midnight = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            throw new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "budget-exhausted", "Daily budget exhausted",
                    "this app's daily budget for SMS and voice is spent; email and TOTP still work")
                    .retryAfter(Duration.between(now, midnight));
        }
    }

    private static ApiProblem blocked(FraudFlag block, Instant now) {
        return new ApiProblem(HttpStatus.FORBIDDEN, "fraud-blocked", "Blocked as suspected fraud",
                "starts to this number range are blocked as suspected SMS pumping until an operator lifts the block or it expires")
                .with("reason", block.reason())
                .with("block_id", block.id())
                .retryAfter(Duration.between(now, block.expiresAt()));
    }
}
