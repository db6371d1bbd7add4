package dev.otpgate.fraud;

import dev.otpgate.access.Caller;
import dev.otpgate.audit.AuditEntry;
import dev.otpgate.audit.AuditTrail;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.Ids;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code /v1/fraud/blocks}: the flags and blocks of suspected SMS pumping, each with its reason and figures
 * (S-35). An app key sees and lifts its own app's only; another app's answers 404 (S-28). An admin key sees all.
 */
@RestController
@RequestMapping(path = "/v1/fraud/blocks", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Fraud", description = "Flags and blocks of suspected SMS pumping")
class FraudController {

    private final FraudRepository repository;
    private final FraudBlocks blocks;
    private final AuditTrail audit;
    private final TransactionTemplate transactions;
    private final Clock clock;

    FraudController(FraudRepository repository, FraudBlocks blocks, AuditTrail audit, TransactionTemplate transactions,
            Clock clock) {
        this.repository = repository;
        this.blocks = blocks;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
    }

    record BlockView(String id, String appId, String reason, String action, boolean active, String prefix, String country,
            int starts, int approvals, BigDecimal baseline, BigDecimal factor, Instant createdAt, Instant expiresAt,
            Instant liftedAt) {

        static BlockView of(FraudFlag flag, Instant now) {
            return new BlockView(flag.id(), flag.appId(), flag.reason(), flag.action(), flag.activeAt(now), flag.prefix(),
                    flag.country(), flag.starts(), flag.approvals(), flag.baseline(), flag.factor(), flag.createdAt(),
                    flag.expiresAt(), flag.liftedAt());
        }
    }

    record BlockList(List<BlockView> blocks) {}

    @GetMapping
    @Operation(summary = "List flags and blocks, newest first")
    BlockList list(@AuthenticationPrincipal Caller caller, @RequestParam(name = "limit", defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw ApiProblem.invalid("limit", "must be 1–1000");
        }
        Instant now = clock.instant();
        return new BlockList(repository.list(caller.appId(), limit).stream().map(flag -> BlockView.of(flag, now)).toList());
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Lift a block: starts to its number range pass again")
    void lift(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        FraudFlag flag = (Ids.looksLike("frd", id) ? repository.find(id) : java.util.Optional.<FraudFlag>empty())
                .filter(found -> caller.appId() == null || found.appId().equals(caller.appId()))
                .filter(FraudFlag::isBlock)
                .orElseThrow(() -> ApiProblem.notFound("block"));
        // The lift and its audit row commit together; the in-memory block goes only once both are kept.
        transactions.executeWithoutResult(tx -> {
            repository.lift(flag.id(), caller.keyId(), clock.instant());
            audit.record(AuditEntry.success("fraud.block_lifted", flag.appId(), flag.id())
                    .with("reason", flag.reason()).with("prefix", flag.prefix()).with("country", flag.country()));
        });
        blocks.remove(flag.id());
    }
}
