package dev.otpgate.fraud;

import dev.otpgate.platform.Ids;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;

/**
 * Acts on suspected fraud by the app's policy: records a flag ({@code monitor}) or a block ({@code block}) with
 * its reason and figures, publishes {@link FraudSuspected} and counts it. Metrics carry the app and the reason,
 * never a destination or a prefix (S-45).
 */
@Component
class FraudActions {

    private static final Logger log = LoggerFactory.getLogger(FraudActions.class);

    private final FraudRepository repository;
    private final FraudBlocks blocks;
    private final FraudProperties properties;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final MeterRegistry meters;
    private final AuditTrail audit;
    private final Clock clock;

    FraudActions(FraudRepository repository, FraudBlocks blocks, FraudProperties properties, TransactionTemplate transactions,
            ApplicationEventPublisher events, MeterRegistry meters, AuditTrail audit, Clock clock) {
        this.audit = audit;
        this.repository = repository;
        this.blocks = blocks;
        this.properties = properties;
        this.transactions = transactions;
        this.events = events;
        this.meters = meters;
        this.clock = clock;
    }

    /**
     * @param mode the app's {@code fraud_mode}; {@code off} does nothing
     * @return the flag recorded, or null
     */
    FraudFlag raise(String appId, String mode, String reason, String prefix, String country, int starts, int approvals,
            double baseline, double factor) {
        if (!"monitor".equals(mode) && !"block".equals(mode)) {
            return null;
        }
        Instant now = clock.instant();
        boolean block = "block".equals(mode);
        FraudFlag flag = new FraudFlag(Ids.newId("frd"), appId, reason, block ? FraudFlag.BLOCKED : FraudFlag.FLAGGED,
                prefix, country, starts, approvals, amount(baseline), amount(factor), now,
                block ? now.plus(properties.blockDuration()) : null, null, null);
        transactions.executeWithoutResult(status -> {
            repository.insertFlag(flag);
            // Raised off the request path (the detector's thread or the start guard's background job): the flag
            // and its audit row commit together.
            audit.record(AuditEntry.detected(block ? "fraud.blocked" : "fraud.flagged", appId, flag.id())
                    .with("reason", reason).with("prefix", prefix).with("country", country)
                    .with("starts", starts).with("approvals", approvals));
            events.publishEvent(new FraudSuspected(flag.id(), appId, reason, flag.action(), country, prefix, starts,
                    approvals, now));
        });
        if (block) {
            blocks.add(flag);
        }
        Counter.builder("otpgate.fraud.flags").description("Traffic flagged as suspected SMS pumping")
                .tag("app", appId).tag("reason", reason).register(meters).increment();
        if (block) {
            Counter.builder("otpgate.fraud.blocks").description("Blocks placed on suspected SMS pumping")
                    .tag("app", appId).tag("reason", reason).register(meters).increment();
        }
        log.warn("Suspected SMS pumping for app {}: {} ({}), {} starts and {} approvals in the window; {}", appId, reason,
                country, starts, approvals, flag.action());
        return flag;
    }

    private static BigDecimal amount(double value) {
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP);
    }
}
