package dev.otpgate.fraud;

import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import dev.otpgate.apps.App;
import dev.otpgate.apps.DefenceSettings;
import dev.otpgate.privacy.Destination;
import dev.otpgate.verification.Refusal;
import dev.otpgate.verification.SendAttempt;
import dev.otpgate.verification.SendDecision;
import dev.otpgate.verification.SendRule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The destination rules every send to a phone number passes, for the channel of that send: the app's country
 * allowlist (any channel) and the refused number types (SMS and voice, S-34), then blocks on the number's prefix
 * or country (S-35). A start also feeds the sequential-numbers detector, which may block it. It reads only
 * memory: the app the request already loaded, the parsed destination, the blocks the background jobs keep fresh
 * and this node's recent last digits per prefix. It runs before the send limits, so a refused destination does
 * not use up a bucket.
 */
@Component
@Order(20)
class DestinationRules implements SendRule {

    /** Never worth a code by SMS or voice: billed to the sender at a premium, or not a subscriber's line. */
    private static final Set<PhoneNumberType> REFUSED = EnumSet.of(PhoneNumberType.PREMIUM_RATE,
            PhoneNumberType.SHARED_COST, PhoneNumberType.UAN, PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER,
            PhoneNumberType.UNKNOWN);

    private final FraudBlocks blocks;
    private final SequentialNumbers sequential;
    private final FraudActions actions;
    private final FraudJobs jobs;
    private final FraudProperties properties;
    private final Clock clock;

    DestinationRules(FraudBlocks blocks, SequentialNumbers sequential, FraudActions actions, FraudJobs jobs,
            FraudProperties properties, Clock clock) {
        this.blocks = blocks;
        this.sequential = sequential;
        this.actions = actions;
        this.jobs = jobs;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public SendDecision evaluate(SendAttempt attempt) {
        Destination destination = attempt.destination();
        if (!destination.isPhone()) {
            return SendDecision.allowed();
        }
        App app = attempt.app();
        DefenceSettings defences = app.defences();
        String country = destination.regionCode();
        if (!defences.allowedCountries().isEmpty() && !defences.allowedCountries().contains(country)) {
            return SendDecision.refused(Refusal.notAllowed("country-not-allowed", "Country not allowed",
                    "this app does not send to phone numbers in " + country).with("country", country));
        }
        if (attempt.channel().isPhone()) {
            Refusal refused = numberType(destination, attempt.channel().value(), Boolean.TRUE.equals(defences.voipAllowed()));
            if (refused != null) {
                return SendDecision.refused(refused);
            }
        }
        String prefix = destination.prefix();
        if ("off".equals(defences.fraudMode()) || prefix == null) {
            return SendDecision.allowed();
        }
        Instant now = clock.instant();
        if ("block".equals(defences.fraudMode())) {
            FraudFlag block = blocks.blocking(app.id(), prefix, country, now).orElse(null);
            if (block != null) {
                return SendDecision.refused(Refusal.notAllowed("fraud-blocked", "Blocked as suspected fraud",
                        "sends to this number range are blocked as suspected SMS pumping until an operator lifts the "
                                + "block or it expires")
                        .with("reason", block.reason())
                        .with("block_id", block.id())
                        .withRetryAfter(Duration.between(now, block.expiresAt())));
            }
        }
        // A run of sequential numbers is a property of new verifications; a resend to the same number adds none.
        if (attempt.origin() == SendAttempt.Origin.START && sequential.record(app.id(), prefix, destination.value(), now)) {
            String mode = defences.fraudMode();
            int run = properties.sequentialRun();
            jobs.submit("sequential-numbers", () -> actions.raise(app.id(), mode, "sequential-numbers", prefix,
                    country, run, 0, 0, properties.factor()));
            if ("block".equals(mode)) {
                return SendDecision.refused(Refusal.notAllowed("fraud-blocked", "Blocked as suspected fraud",
                        "starts to this number range are blocked as suspected SMS pumping")
                        .with("reason", "sequential-numbers"));
            }
        }
        return SendDecision.allowed();
    }

    private static Refusal numberType(Destination destination, String channel, boolean voipAllowed) {
        PhoneNumberType type = destination.numberType() == null ? PhoneNumberType.UNKNOWN : destination.numberType();
        boolean refused = REFUSED.contains(type)
                || (type == PhoneNumberType.FIXED_LINE && "sms".equals(channel))
                || (type == PhoneNumberType.VOIP && !voipAllowed);
        if (!refused) {
            return null;
        }
        String name = type.name().toLowerCase(Locale.ROOT);
        return Refusal.undeliverable("undeliverable-destination", "Undeliverable destination",
                "codes are not sent by " + channel + " to " + name.replace('_', ' ') + " numbers")
                .with("number_type", name);
    }
}
