package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.AppDirectory;
import dev.otpgate.apps.DeliverySettings;
import dev.otpgate.apps.DeliverySettings.WorkflowStep;
import dev.otpgate.delivery.DeliverySteps;
import dev.otpgate.delivery.DeliveryQueue;
import dev.otpgate.delivery.DeliveryRequest;
import dev.otpgate.platform.ApiProblem;
import dev.otpgate.platform.Ids;
import dev.otpgate.platform.KeyRing;
import dev.otpgate.privacy.Destination;
import dev.otpgate.privacy.Destinations;
import dev.otpgate.privacy.SealedDestination;
import dev.otpgate.verification.VerificationEvents.VerificationApproved;
import dev.otpgate.verification.VerificationEvents.VerificationCanceled;
import dev.otpgate.verification.VerificationEvents.VerificationExpired;
import dev.otpgate.verification.VerificationEvents.VerificationFailed;
import dev.otpgate.verification.VerificationEvents.VerificationStarted;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The verification lifecycle. A start is one transaction of three statements at most (the verification, its
 * delivery job, the idempotency record); a check reads the row and changes it with one conditional update.
 * Neither calls a provider.
 */
@Service
class VerificationService {

    static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);
    private static final Pattern CODE = Pattern.compile("[0-9]{1,10}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final Pattern TRANSACTION_KEY = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    private static final Pattern LOCALE = Pattern.compile("[a-z]{2,3}(-[A-Z]{2})?");
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern APP_HASH = Pattern.compile("[A-Za-z0-9+/]{11}");
    private static final TypeReference<TreeMap<String, String>> TRANSACTION_TYPE = new TypeReference<>() {};
    private static final TypeReference<List<WorkflowStep>> WORKFLOW_TYPE = new TypeReference<>() {};
    /** A workflow step without its own timeout waits this long before the next step starts. */
    static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VerificationService.class);

    record StartCommand(String appId, String apiKeyId, String to, String channel, List<WorkflowStep> workflow,
            String locale, Map<String, String> transaction, String appHash, String endUserIp, String endUserAgent,
            String idempotencyKey) {

        @Override
        public String toString() {
            return "StartCommand[" + appId + "]";
        }
    }

    record Started(Verification verification, boolean replayed) {}

    private final VerificationRepository verifications;
    private final IdempotencyRepository idempotency;
    private final AppDirectory apps;
    private final Destinations destinations;
    private final DeliveryQueue delivery;
    private final DeliverySteps steps;
    private final CodeGenerator codes;
    private final CodeHasher hasher;
    private final KeyRing keys;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final ObjectProvider<StartGuard> guards;
    private final ObjectProvider<CheckGuard> checkGuards;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Clock clock;

    VerificationService(VerificationRepository verifications, IdempotencyRepository idempotency, AppDirectory apps,
            Destinations destinations, DeliveryQueue delivery, DeliverySteps steps, CodeGenerator codes, CodeHasher hasher, KeyRing keys,
            TransactionTemplate transactions, ApplicationEventPublisher events, ObjectProvider<StartGuard> guards,
            ObjectProvider<CheckGuard> checkGuards, JsonMapper json, MeterRegistry meters, Clock clock) {
        this.verifications = verifications;
        this.idempotency = idempotency;
        this.apps = apps;
        this.destinations = destinations;
        this.delivery = delivery;
        this.steps = steps;
        this.codes = codes;
        this.hasher = hasher;
        this.keys = keys;
        this.transactions = transactions;
        this.events = events;
        this.guards = guards;
        this.checkGuards = checkGuards;
        this.json = json;
        this.meters = meters;
        this.clock = clock;
    }

    Started start(StartCommand command) {
        App app = apps.find(command.appId()).orElseThrow(() -> ApiProblem.notFound("app"));
        Destination destination = destinations.parse(command.to());
        List<WorkflowStep> workflow = resolveWorkflow(app, command, destination);
        String channel = workflow.getFirst().channel();
        String workflowJson = workflow.size() == 1 && workflow.getFirst().timeoutSeconds() == null
                ? null : json.writeValueAsString(workflow);
        String appHash = validAppHash(command.appHash());
        Optional<DeliverySettings.TestDestination> test = testDestination(app, destination);
        String locale = command.locale() == null ? app.locale() : validLocale(command.locale());
        TreeMap<String, String> transaction = validTransaction(command.transaction());
        String transactionJson = transaction == null ? null : json.writeValueAsString(transaction);
        String endUserIp = validIp(command.endUserIp());
        String endUserAgent = validUserAgent(command.endUserAgent());
        Instant now = clock.instant();

        String idempotencyKey = command.idempotencyKey();
        byte[] requestHash = null;
        if (idempotencyKey != null) {
            if (!IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
                throw ApiProblem.invalid("Idempotency-Key", "must be 1–255 visible ASCII characters");
            }
            requestHash = keys.blindIndex(String.join("\u0000", "start", destination.type().name(), destination.value(),
                    channel, String.valueOf(workflowJson), locale, String.valueOf(transactionJson), String.valueOf(appHash),
                    String.valueOf(endUserIp), String.valueOf(endUserAgent)));
            Optional<Started> replay = replay(app.id(), idempotencyKey, requestHash, now);
            if (replay.isPresent()) {
                return replay.get();
            }
        }

        SealedDestination sealed = destinations.seal(destination, app.id());
        StartGuard.StartAttempt attempt = new StartGuard.StartAttempt(app, destination, sealed.index(), channel,
                endUserIp, command.apiKeyId());
        try {
            guards.orderedStream().forEach(guard -> guard.check(attempt));
        } catch (ApiProblem refused) {
            // A retry of an idempotent start that was refused only because its first attempt used up the limit
            // answers as the first attempt did. One still in flight may get the 429; the client's next retry
            // then replays it.
            if (idempotencyKey != null && refused.status() == HttpStatus.TOO_MANY_REQUESTS) {
                Optional<Started> replay = replay(app.id(), idempotencyKey, requestHash, clock.instant());
                if (replay.isPresent()) {
                    return replay.get();
                }
            }
            throw refused;
        }

        String id = Ids.newId("vrf");
        String code = test.map(DeliverySettings.TestDestination::code).orElseGet(() -> codes.generate(app.codeLength()));
        Verification verification = new Verification(id, app.id(), VerificationStatus.PENDING, channel,
                destination.type().name().toLowerCase(java.util.Locale.ROOT), sealed.ciphertext(), sealed.index(),
                sealed.masked(), hasher.hash(id, 1, code, transactionJson), 1, 0, app.maxAttempts(), 1, app.maxSends(),
                app.resendCooldownSeconds(), app.codeTtlSeconds(), locale, transactionJson, endUserIp, endUserAgent,
                "queued", null, null, now, now, now.plusSeconds(app.codeTtlSeconds()), now, null, workflowJson, 0, false,
                test.isPresent(), destination.regionCode(), destinations.prefix(destination), appHash);
        DeliveryRequest message = new DeliveryRequest(app.id(), id, 1, channel, destination, code, app.brand(),
                app.codeTtlSeconds(), locale, transaction, appHash, test.isPresent(), now);
        byte[] hashForKey = requestHash;
        try {
            transactions.executeWithoutResult(status -> {
                verifications.insert(verification);
                delivery.enqueue(message);
                if (idempotencyKey != null) {
                    idempotency.insert(app.id(), idempotencyKey, hashForKey, id, now);
                }
                events.publishEvent(new VerificationStarted(id, app.id(), channel, verification.destinationType(),
                        destination.regionCode(), verification.destinationPrefix(), now));
            });
        } catch (DuplicateKeyException e) {
            if (idempotencyKey == null) {
                throw e;
            }
            // Another request with the same key committed first: answer as it did.
            return replay(app.id(), idempotencyKey, hashForKey, now)
                    .orElseThrow(() -> new ApiProblem(HttpStatus.CONFLICT, "idempotency-conflict", "Idempotency conflict",
                            "a request with this Idempotency-Key is in progress; retry"));
        }
        return new Started(verification, false);
    }

    private Optional<Started> replay(String appId, String key, byte[] requestHash, Instant now) {
        Optional<IdempotencyRepository.Entry> entry = idempotency.find(appId, key);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        if (entry.get().createdAt().isBefore(now.minus(IDEMPOTENCY_WINDOW))) {
            idempotency.delete(appId, key, now.minus(IDEMPOTENCY_WINDOW));
            return Optional.empty();
        }
        if (!java.security.MessageDigest.isEqual(entry.get().requestHash(), requestHash)) {
            throw new ApiProblem(HttpStatus.CONFLICT, "idempotency-key-reused", "Idempotency key reused",
                    "this Idempotency-Key was used with a different request body");
        }
        return verifications.find(appId, entry.get().verificationId())
                .map(verification -> new Started(expireIfDue(verification, now), true));
    }

    Verification get(String appId, String id) {
        return expireIfDue(find(appId, id), clock.instant());
    }

    Verification check(String appId, String id, String code, String clientIp) {
        return timed(() -> {
            validCode(code);
            return checkRow(find(appId, id), code, clientIp);
        });
    }

    /** Checks the app's newest pending verification for {@code to}; none answers 404 like an unknown id (S-14). */
    Verification checkByDestination(String appId, String to, String code, String clientIp) {
        return timed(() -> {
            validCode(code);
            Destination destination = destinations.parse(to);
            Verification verification = verifications.findPendingByDestination(appId, destinations.index(destination))
                    .orElseThrow(() -> ApiProblem.notFound("verification"));
            return checkRow(verification, code, clientIp);
        });
    }

    /** The check-latency timer, labelled by outcome ({@code approved} or the problem type). */
    private Verification timed(java.util.function.Supplier<Verification> check) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
            Verification result = check.get();
            outcome = "approved";
            return result;
        } catch (ApiProblem problem) {
            outcome = problem.slug();
            throw problem;
        } finally {
            sample.stop(meters.timer("otpgate.verification.check", "outcome", outcome));
        }
    }

    private Verification checkRow(Verification verification, String code, String clientIp) {
        Instant now = clock.instant();
        refuseUnlessPending(verification, now);
        CheckGuard.CheckAttempt attempt = new CheckGuard.CheckAttempt(verification.appId(), verification.id(),
                verification.destinationIndex(), clientIp);
        checkGuards.orderedStream().forEach(guard -> guard.before(attempt));
        if (hasher.matches(verification.codeHash(), verification.id(), verification.codeStep(), code,
                verification.transactionJson())) {
            if (verifications.approve(verification.id(), verification.codeStep(), now)) {
                checkGuards.orderedStream().forEach(guard -> guard.after(attempt, true));
                events.publishEvent(new VerificationApproved(verification.id(), verification.appId(),
                        verification.channel(), verification.destinationCountry(), verification.destinationPrefix(), now));
                // The conditional update succeeded from the row just read, so its new state is known: no re-read.
                return verification.approvedAt(now);
            }
            // Lost a race: approved by a parallel check, expired, or replaced by a resend. Only the last case
            // leaves it pending, and then this code is no longer the valid one.
            refuseUnlessPending(reload(verification), now);
        }
        return wrongGuess(verification, now, attempt);
    }

    private Verification wrongGuess(Verification verification, Instant now, CheckGuard.CheckAttempt attempt) {
        boolean counted = verifications.recordWrongGuess(verification.id(), now);
        if (counted) {
            checkGuards.orderedStream().forEach(guard -> guard.after(attempt, false));
        }
        Verification current = reload(verification);
        if (!counted) {
            refuseUnlessPending(current, now);
        }
        int remaining = Math.max(0, current.maxAttempts() - current.attempts());
        if (counted && current.status() == VerificationStatus.FAILED) {
            events.publishEvent(new VerificationFailed(current.id(), current.appId(), current.channel(), "max-attempts", now));
        }
        throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "incorrect-code", "Incorrect code",
                remaining == 0 ? "the code is incorrect and no attempts remain" : "the code is incorrect")
                .with("attempts_remaining", remaining);
    }

    /**
     * A new code: on the same step's channel (or {@code requestedChannel}), or, with {@code next}, on the
     * workflow's next step. Either way the old code stops working (S-04) and the attempt count is kept.
     */
    Verification resend(String appId, String id, String requestedChannel, boolean next) {
        Verification verification = find(appId, id);
        Instant now = clock.instant();
        verification = expireIfDue(verification, now);
        if (verification.status() != VerificationStatus.PENDING) {
            throw notPending(verification, HttpStatus.CONFLICT);
        }
        if (next && requestedChannel != null) {
            throw ApiProblem.invalid("channel", "cannot be combined with next");
        }
        if (verification.sendCount() >= verification.maxSends()) {
            throw new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "max-sends-reached", "Too many sends",
                    "this verification has used all " + verification.maxSends() + " sends");
        }
        Instant allowedAt = verification.lastSentAt().plusSeconds(verification.resendCooldownSeconds());
        if (now.isBefore(allowedAt)) {
            throw new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "resend-cooldown", "Resend too soon",
                    "wait before asking for another code").retryAfter(Duration.between(now, allowedAt));
        }
        App app = apps.find(appId).orElseThrow(() -> ApiProblem.notFound("app"));
        Destination destination = destinations.open(verification.destinationCiphertext(), appId);
        int workflowIndex = verification.workflowIndex();
        String channel;
        if (next) {
            Optional<Integer> nextIndex = nextStep(app, verification, destination);
            if (nextIndex.isEmpty()) {
                throw new ApiProblem(HttpStatus.CONFLICT, "no-next-step", "No next step",
                        "this verification's workflow has no further step it can use");
            }
            workflowIndex = nextIndex.get();
            channel = workflow(verification).get(workflowIndex).channel();
        } else {
            channel = requestedChannel == null ? verification.channel() : resolveChannel(app, requestedChannel, destination);
            if (verification.phoneBlocked() && isPhoneChannel(channel)) {
                throw new ApiProblem(HttpStatus.FORBIDDEN, "phone-channels-blocked", "Phone channels blocked",
                        "phone channels are blocked for this verification").with("reason", "sim-swap-detected");
            }
        }
        if (!replaceCode(app, verification, destination, channel, workflowIndex, now, true)) {
            // A parallel resend, check or cancel changed the row first.
            throw new ApiProblem(HttpStatus.CONFLICT, "verification-changed", "Verification changed",
                    "the verification changed while this request was handled; read it and retry");
        }
        if (next) {
            steps.ended(id, verification.codeStep(), "skipped ahead by the client");
        }
        return reload(verification);
    }

    /**
     * Ends step {@code step} and starts the workflow's next usable step with a new code, or fails the
     * verification with {@code failureReason} when there is none. A step that is no longer current changes
     * nothing (a late timer or receipt).
     */
    void endStep(String id, int step, String why, String failureReason) {
        Verification verification = verifications.find(id).orElse(null);
        if (verification == null || verification.status() != VerificationStatus.PENDING || verification.codeStep() != step) {
            return;
        }
        Instant now = clock.instant();
        App app = apps.find(verification.appId()).orElse(null);
        if (app == null) {
            return;
        }
        Destination destination = destinations.open(verification.destinationCiphertext(), verification.appId());
        Optional<Integer> next = nextStep(app, verification, destination);
        if (next.isPresent()) {
            String channel = workflow(verification).get(next.get()).channel();
            if (replaceCode(app, verification, destination, channel, next.get(), now, false)) {
                log.info("Verification {} moves from step {} to {} ({}): {}", id, step, step + 1, channel, why);
            }
            return;
        }
        if (verifications.finish(id, VerificationStatus.FAILED, failureReason, now)) {
            events.publishEvent(new VerificationFailed(id, verification.appId(), verification.channel(), failureReason, now));
        }
    }

    /** Writes a new code for {@code channel} at {@code workflowIndex} and queues its message, in one transaction. */
    private boolean replaceCode(App app, Verification verification, Destination destination, String channel,
            int workflowIndex, Instant now, boolean byClient) {
        String id = verification.id();
        int step = verification.codeStep() + 1;
        String code = verification.testDestination()
                ? testDestination(app, destination).map(DeliverySettings.TestDestination::code).orElseGet(() -> codes.generate(app.codeLength()))
                : codes.generate(app.codeLength());
        byte[] codeHash = hasher.hash(id, step, code, verification.transactionJson());
        Instant expiresAt = now.plusSeconds(verification.codeTtlSeconds());
        DeliveryRequest message = new DeliveryRequest(app.id(), id, step, channel, destination, code, app.brand(),
                verification.codeTtlSeconds(), verification.locale(), transaction(verification), verification.appHash(),
                verification.testDestination(), now);
        return Boolean.TRUE.equals(transactions.execute(status -> {
            boolean changed = byClient
                    ? verifications.newCode(id, verification.codeStep(), codeHash, channel, workflowIndex, now, expiresAt,
                            now.minusSeconds(verification.resendCooldownSeconds()))
                    : verifications.nextStep(id, verification.codeStep(), codeHash, channel, workflowIndex, now, expiresAt);
            if (changed) {
                delivery.enqueue(message);
            }
            return changed;
        }));
    }

    /** The index of the workflow's next step that can reach this destination now, if any. */
    private Optional<Integer> nextStep(App app, Verification verification, Destination destination) {
        List<WorkflowStep> workflow = workflow(verification);
        for (int i = verification.workflowIndex() + 1; i < workflow.size(); i++) {
            String channel = workflow.get(i).channel();
            if (fits(channel, destination) && app.allows(channel) && delivery.canDeliver(channel)
                    && !(verification.phoneBlocked() && isPhoneChannel(channel))) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    List<WorkflowStep> workflow(Verification verification) {
        return verification.workflowJson() == null
                ? List.of(new WorkflowStep(verification.channel(), null))
                : json.readValue(verification.workflowJson(), WORKFLOW_TYPE);
    }

    /** How long the step's code waits for approval before the next step starts; empty when nothing follows. */
    Optional<Duration> stepTimeout(Verification verification) {
        List<WorkflowStep> workflow = workflow(verification);
        int index = verification.workflowIndex();
        if (index >= workflow.size()) {
            return Optional.empty();
        }
        Integer seconds = workflow.get(index).timeoutSeconds();
        if (seconds != null) {
            return Optional.of(Duration.ofSeconds(seconds));
        }
        return index + 1 < workflow.size() ? Optional.of(DEFAULT_STEP_TIMEOUT) : Optional.empty();
    }

    /** The phone channels were blocked (SIM swap): go on with a non-phone step, or fail. */
    void phoneBlocked(String id, int step, String reason) {
        verifications.blockPhone(id, clock.instant());
        endStep(id, step, reason, reason);
    }

    Verification cancel(String appId, String id) {
        Verification verification = expireIfDue(find(appId, id), clock.instant());
        Instant now = clock.instant();
        if (verification.status() == VerificationStatus.PENDING
                && verifications.finish(id, VerificationStatus.CANCELED, null, now)) {
            events.publishEvent(new VerificationCanceled(id, appId, verification.channel(), now));
            return reload(verification);
        }
        throw notPending(reload(verification), HttpStatus.CONFLICT);
    }

    /** Called by the delivery worker when a step could not be delivered at all, or a receipt says so. */
    void deliveryFailed(String id, int step, String status, String reason) {
        Instant now = clock.instant();
        if (verifications.recordDelivery(id, step, status, reason, now)) {
            endStep(id, step, reason, "delivery-failed");
        }
    }

    /** Marks due verifications expired (the sweeper calls this; reads expire lazily as well). */
    int expireDue(int limit) {
        Instant now = clock.instant();
        int count = 0;
        for (Verification verification : verifications.findExpiredPending(now, limit)) {
            if (expireIfDue(verification, now).status() == VerificationStatus.EXPIRED) {
                count++;
            }
        }
        return count;
    }

    private Verification find(String appId, String id) {
        if (!Ids.looksLike("vrf", id)) {
            throw ApiProblem.notFound("verification");
        }
        return verifications.find(appId, id).orElseThrow(() -> ApiProblem.notFound("verification"));
    }

    private Verification reload(Verification verification) {
        return verifications.find(verification.id()).orElseThrow(() -> ApiProblem.notFound("verification"));
    }

    private Verification expireIfDue(Verification verification, Instant now) {
        if (verification.status() != VerificationStatus.PENDING || !verification.expiredAt(now)) {
            return verification;
        }
        if (verifications.finish(verification.id(), VerificationStatus.EXPIRED, null, now)) {
            events.publishEvent(new VerificationExpired(verification.id(), verification.appId(), verification.channel(), now));
        }
        return reload(verification);
    }

    /** Passes a pending, unexpired verification; anything else answers as S-12 and S-15 say. */
    private void refuseUnlessPending(Verification verification, Instant now) {
        Verification current = expireIfDue(verification, now);
        if (current.status() == VerificationStatus.PENDING) {
            return;
        }
        if (current.status() == VerificationStatus.FAILED && "max-attempts".equals(current.failureReason())) {
            throw new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, "too-many-attempts", "Too many attempts",
                    "this verification has no attempts left; start a new one").with("attempts_remaining", 0);
        }
        throw notPending(current, HttpStatus.GONE);
    }

    private static ApiProblem notPending(Verification verification, HttpStatus status) {
        if (verification.status() == VerificationStatus.EXPIRED) {
            return new ApiProblem(status, "verification-expired", "Verification expired",
                    "this verification has expired; start a new one").with("verification_status", "expired");
        }
        return new ApiProblem(status, "verification-not-pending", "Verification not pending",
                "this verification is " + verification.status().value()).with("verification_status", verification.status().value());
    }

    /**
     * The steps a start runs: its {@code workflow}, else its {@code channel} as one step, else the app's default
     * workflow. Steps that cannot reach the destination (email for a phone, a phone channel for an address)
     * are dropped from a default workflow; in a requested one they are refused. The first step must be usable.
     */
    private List<WorkflowStep> resolveWorkflow(App app, StartCommand command, Destination destination) {
        if (command.workflow() != null) {
            if (command.channel() != null) {
                throw ApiProblem.invalid("channel", "cannot be combined with workflow");
            }
            if (command.workflow().isEmpty()) {
                throw ApiProblem.invalid("workflow", "must hold 1–4 steps");
            }
            List<WorkflowStep> steps = DeliverySettings.workflow("workflow", command.workflow(), App.CHANNELS);
            for (int i = 0; i < steps.size(); i++) {
                if (!fits(steps.get(i).channel(), destination)) {
                    throw ApiProblem.invalid("workflow[" + i + "].channel", destination.isPhone()
                            ? "a phone number cannot receive email" : "an email address needs the email channel");
                }
                resolveChannel(app, steps.get(i).channel(), destination);
            }
            return steps;
        }
        if (command.channel() != null) {
            return List.of(new WorkflowStep(resolveChannel(app, command.channel(), destination), null));
        }
        List<WorkflowStep> steps = app.defaultWorkflow().stream().filter(step -> fits(step.channel(), destination)).toList();
        if (steps.isEmpty()) {
            return List.of(new WorkflowStep(resolveChannel(app, null, destination), null));
        }
        resolveChannel(app, steps.getFirst().channel(), destination);
        return steps;
    }

    private static boolean fits(String channel, Destination destination) {
        return destination.isPhone() != channel.equals("email");
    }

    static boolean isPhoneChannel(String channel) {
        return channel.equals("sms") || channel.equals("voice");
    }

    /** The app's test destination matching this one; both are normalised (the app's when it was saved). */
    private static Optional<DeliverySettings.TestDestination> testDestination(App app, Destination destination) {
        return app.delivery().testDestinations().stream().filter(test -> test.to().equals(destination.value())).findFirst();
    }

    /** The 11-character hash of an Android app for the SMS Retriever API. */
    private static String validAppHash(String appHash) {
        if (appHash == null) {
            return null;
        }
        if (!APP_HASH.matcher(appHash).matches()) {
            throw ApiProblem.invalid("app_hash", "must be the 11-character hash of an Android app");
        }
        return appHash;
    }

    private String resolveChannel(App app, String requested, Destination destination) {
        String channel = requested;
        if (channel == null) {
            if (!destination.isPhone()) {
                channel = "email";
            } else if (!app.defaultChannel().equals("email")) {
                channel = app.defaultChannel();
            } else {
                channel = app.allowedChannels().stream().filter(c -> !c.equals("email")).findFirst().orElse("sms");
            }
        }
        if (!App.CHANNELS.contains(channel)) {
            throw ApiProblem.invalid("channel", "must be one of " + App.CHANNELS);
        }
        if (destination.isPhone() == channel.equals("email")) {
            throw ApiProblem.invalid("channel", destination.isPhone()
                    ? "a phone number cannot receive email" : "an email address needs the email channel");
        }
        if (!app.allows(channel)) {
            throw new ApiProblem(HttpStatus.FORBIDDEN, "channel-not-allowed", "Channel not allowed",
                    "this app does not allow the " + channel + " channel").with("allowed_channels", app.allowedChannels());
        }
        if (!delivery.canDeliver(channel)) {
            throw new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, "channel-unavailable", "Channel unavailable",
                    "no provider is configured for the " + channel + " channel");
        }
        return channel;
    }

    Map<String, String> transaction(Verification verification) {
        return verification.transactionJson() == null ? null : json.readValue(verification.transactionJson(), TRANSACTION_TYPE);
    }

    private static void validCode(String code) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw ApiProblem.invalid("code", "must be the digits of the code");
        }
    }

    private static String validLocale(String locale) {
        if (!LOCALE.matcher(locale).matches()) {
            throw ApiProblem.invalid("locale", "must be a language tag such as en or pt-BR");
        }
        return locale;
    }

    /** At most 8 entries, snake_case keys, short printable values: they are shown in the message (S-11). */
    private static TreeMap<String, String> validTransaction(Map<String, String> transaction) {
        if (transaction == null) {
            return null;
        }
        if (transaction.isEmpty() || transaction.size() > 8) {
            throw ApiProblem.invalid("transaction", "must hold 1–8 entries");
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> entry : transaction.entrySet()) {
            if (!TRANSACTION_KEY.matcher(entry.getKey()).matches()) {
                throw ApiProblem.invalid("transaction", "keys must be snake_case, 1–32 characters");
            }
            String value = entry.getValue();
            if (value == null || value.isBlank() || value.length() > 100 || value.chars().anyMatch(Character::isISOControl)) {
                throw ApiProblem.invalid("transaction." + entry.getKey(), "must be 1–100 printable characters");
            }
            sorted.put(entry.getKey(), value.strip());
        }
        return sorted;
    }

    private static String validIp(String ip) {
        if (ip == null) {
            return null;
        }
        if (IPV4.matcher(ip).matches() || (ip.indexOf(':') >= 0 && IPV6.matcher(ip).matches() && parsesAsIpv6(ip))) {
            return ip;
        }
        throw ApiProblem.invalid("end_user.ip", "must be an IPv4 or IPv6 address");
    }

    private static boolean parsesAsIpv6(String ip) {
        try {
            // Only a literal with ':' reaches here, so no name is resolved.
            return java.net.InetAddress.getByName(ip) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static String validUserAgent(String userAgent) {
        if (userAgent == null) {
            return null;
        }
        if (userAgent.length() > 300 || userAgent.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.invalid("end_user.user_agent", "must be at most 300 printable characters");
        }
        return userAgent;
    }
}
