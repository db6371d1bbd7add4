package dev.otpgate.delivery.smpp;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.ReceiptSink;
import dev.otpgate.delivery.provider.SendResult;
import io.github.bucket4j.Bucket;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.jsmpp.DefaultPDUReader;
import org.jsmpp.DefaultPDUSender;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.SynchronizedPDUSender;
import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.Command;
import org.jsmpp.bean.DataCoding;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GeneralDataCoding;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.ConnectionFactory;
import org.jsmpp.session.connection.socket.SocketConnectionFactory;
import org.jsmpp.util.DefaultComposer;
import org.jsmpp.util.InvalidDeliveryReceiptException;
import org.smpp.charset.Gsm7BitCharsetProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMS over one SMPP 3.4 transceiver bind (jSMPP). A background thread binds, and binds again with a doubling
 * backoff whenever the bind fails or the connection drops; a send never waits for a bind, it fails temporarily.
 * Up to {@code window} submits are in flight at once and at most {@code max-submits-per-second} leave per second.
 * Each {@code submit_sm} asks for an SMSC delivery receipt; receipts ({@code deliver_sm}) go to the
 * {@link ReceiptSink}. A text longer than one segment travels whole in the {@code message_payload} TLV and the
 * SMSC segments it. With {@code tls: true} the bind runs over TLS to a verified SMSC ({@link TlsConnectionFactory},
 * S-08). Logs name the provider and the SMSC, never the destination, the text or the credentials.
 */
final class SmppProvider implements Provider, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SmppProvider.class);

    /** GSM 03.38 default alphabet, one septet per octet (unpacked), extension characters behind escape 0x1B. */
    static final Charset GSM = new Gsm7BitCharsetProvider().charsetForName("X-Gsm7Bit");
    static final int GSM_SEGMENT_OCTETS = 160;
    static final int UCS2_SEGMENT_OCTETS = 140;

    private static final Map<Integer, String> STATUS_NAMES = statusNames();
    /** Statuses about the SMSC's state rather than the message: another try may pass. */
    private static final Set<String> TEMPORARY = Set.of("ESME_RTHROTTLED", "ESME_RMSGQFUL", "ESME_RSYSERR",
            "ESME_RINVBNDSTS", "ESME_RSUBMITFAIL", "ESME_RX_T_APPN");
    private static final String CONNECTION_FAILED = "connection failed";
    private static final Pattern NUMBER = Pattern.compile("\\+?[0-9]{1,20}");
    private static final Pattern RECEIPT_ID = Pattern.compile("(?i)\\bid:(\\S+)");
    private static final Pattern RECEIPT_STAT = Pattern.compile("(?i)\\bstat:(\\w+)");
    private static final Pattern RECEIPT_ERR = Pattern.compile("(?i)\\berr:(\\w+)");

    private final String id;
    private final SmppProperties properties;
    private final ReceiptSink receipts;
    private final Bucket throughput;
    private final Semaphore window;
    private final ScheduledExecutorService binder;
    private final ConnectionFactory connections;
    private final AtomicBoolean bindPending = new AtomicBoolean();
    private volatile boolean running;
    private volatile SMPPSession session;
    private volatile Duration backoff;
    /** Why the last bind failed, as a step reason may show it (a status name, no secret); null once bound. */
    private volatile String bindFailure;

    /** A provider that trusts the JVM's CAs when it binds over TLS. */
    SmppProvider(String id, SmppProperties properties, ReceiptSink receipts) {
        this(id, properties, null, receipts);
    }

    /**
     * @param trust the TLS context whose trust material checks the SMSC with {@code tls: true} (from the
     *     provider's {@code ssl-bundle}); {@code null}: the JVM's trust store
     */
    SmppProvider(String id, SmppProperties properties, SSLContext trust, ReceiptSink receipts) {
        this.id = id;
        this.properties = properties;
        this.receipts = receipts;
        int rate = properties.maxSubmitsPerSecond();
        this.throughput = Bucket.builder()
                .addLimit(limit -> limit.capacity(rate).refillGreedy(rate, Duration.ofSeconds(1)))
                .build();
        this.window = new Semaphore(properties.window(), true);
        this.backoff = properties.rebindBackoff();
        this.connections = properties.tls()
                ? TlsConnectionFactory.trusting(trust, properties.responseTimeout())
                : SocketConnectionFactory.getInstance();
        this.binder = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "smpp-bind-" + id);
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean serves(String channel) {
        return properties.channels().contains(channel);
    }

    @Override
    public int priority() {
        return properties.priority();
    }

    /** Starts binding in the background. */
    void start() {
        running = true;
        scheduleBind(Duration.ZERO);
    }

    boolean bound() {
        SMPPSession current = session;
        return current != null && current.getSessionState().isBound();
    }

    @Override
    public SendResult send(OutboundMessage message) throws DeliveryException {
        SMPPSession current = session;
        if (current == null || !current.getSessionState().isBound()) {
            String failure = bindFailure;
            throw new DeliveryException(failure == null ? "SMPP not bound" : "SMPP not bound (" + failure + ")", false,
                    null);
        }
        String to = message.to();
        if (to == null || !NUMBER.matcher(to).matches()) {
            throw new DeliveryException("SMPP destination is not a phone number", true, null);
        }
        String from = message.from() != null && !message.from().isBlank() ? message.from() : properties.sourceAddress();
        if (from == null || from.isBlank()) {
            throw new DeliveryException("SMPP source address not configured", true, null);
        }
        boolean unicode = message.unicode();
        byte[] octets = message.text().getBytes(unicode ? StandardCharsets.UTF_16BE : GSM);
        DataCoding coding = new GeneralDataCoding(unicode ? Alphabet.ALPHA_UCS2 : Alphabet.ALPHA_DEFAULT);
        boolean single = octets.length <= (unicode ? UCS2_SEGMENT_OCTETS : GSM_SEGMENT_OCTETS);
        byte[] shortMessage = single ? octets : new byte[0];
        OptionalParameter[] tlvs = single
                ? new OptionalParameter[0]
                : new OptionalParameter[] {new OptionalParameter.Message_payload(octets)};
        boolean numericSender = NUMBER.matcher(from).matches();

        acquire();
        try {
            SubmitSmResult result = current.submitShortMessage("",
                    numericSender ? TypeOfNumber.INTERNATIONAL : TypeOfNumber.ALPHANUMERIC,
                    numericSender ? NumberingPlanIndicator.ISDN : NumberingPlanIndicator.UNKNOWN,
                    numericSender ? stripPlus(from) : from,
                    TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, stripPlus(to),
                    new ESMClass(), (byte) 0, (byte) 1, null, null,
                    new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE), (byte) 0, coding, (byte) 0,
                    shortMessage, tlvs);
            String messageId = result.getMessageId();
            if (messageId == null || messageId.isBlank()) {
                // S-08: an acceptance without a message id is not one: no receipt could ever be matched to it.
                throw new DeliveryException("SMPP submit_sm_resp without a message id", false, null);
            }
            log.debug("SMPP provider {} accepted {} as {}", id, message.reference(), messageId);
            return new SendResult(messageId, message.segments(), unicode ? "UCS-2" : "GSM-7");
        } catch (NegativeResponseException e) {
            String status = statusName(e.getCommandStatus());
            throw new DeliveryException(status, !TEMPORARY.contains(status), null);
        } catch (ResponseTimeoutException e) {
            throw new DeliveryException("SMPP response timeout", false, null);
        } catch (InvalidResponseException e) {
            throw new DeliveryException("SMPP invalid response", false, null);
        } catch (PDUException e) {
            throw new DeliveryException("SMPP message not encodable", true, null);
        } catch (IOException | IllegalStateException e) {
            throw new DeliveryException("SMPP connection lost", false, null);
        } finally {
            window.release();
        }
    }

    /** Waits for a token of the throughput limit, then for a window slot, each up to the response timeout. */
    private void acquire() throws DeliveryException {
        Duration wait = properties.responseTimeout();
        try {
            if (!throughput.asBlocking().tryConsume(1, wait)) {
                throw new DeliveryException("SMPP throughput limit", false, null);
            }
            if (!window.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new DeliveryException("SMPP window full", false, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("SMPP send interrupted", false, null);
        }
    }

    private static String stripPlus(String number) {
        return number.startsWith("+") ? number.substring(1) : number;
    }

    static String statusName(int status) {
        return STATUS_NAMES.getOrDefault(status, "SMPP_UNKNOWN_STATUS");
    }

    private static Map<Integer, String> statusNames() {
        Map<Integer, String> names = new HashMap<>();
        for (Field field : SMPPConstant.class.getFields()) {
            if (field.getName().startsWith("STAT_") && field.getType() == int.class
                    && Modifier.isStatic(field.getModifiers())) {
                try {
                    names.putIfAbsent(field.getInt(null), field.getName().substring("STAT_".length()));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Map.copyOf(names);
    }

    private void scheduleBind(Duration delay) {
        if (running && bindPending.compareAndSet(false, true)) {
            try {
                binder.schedule(() -> {
                    bindPending.set(false);
                    bind();
                }, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                bindPending.set(false);
            }
        }
    }

    private void bind() {
        if (!running || bound()) {
            return;
        }
        SMPPSession candidate = new SMPPSession(new SynchronizedPDUSender(new DefaultPDUSender(new DefaultComposer())),
                new BoundedPduReader(), connections);
        candidate.setEnquireLinkTimer(Math.toIntExact(properties.enquireLinkInterval().toMillis()));
        candidate.setTransactionTimer(properties.responseTimeout().toMillis());
        candidate.setMessageReceiverListener(new Receiver());
        candidate.addSessionStateListener(this::stateChanged);
        try {
            candidate.connectAndBind(properties.host(), properties.port(),
                    new BindParameter(BindType.BIND_TRX, properties.systemId(), properties.password(),
                            properties.systemType(), TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null),
                    properties.responseTimeout().toMillis());
        } catch (IOException | RuntimeException e) {
            candidate.close();
            Duration wait = backoff;
            backoff = min(wait.multipliedBy(2), properties.rebindBackoffMax());
            String failure = failureReason(e);
            bindFailure = failure;
            // One line, no stack trace: the SMSC refusing a bind is an operator's matter, not a defect here.
            log.warn("SMPP provider {} could not bind to {}:{} ({}); next try in {}", id, properties.host(),
                    properties.port(), failure.equals(CONNECTION_FAILED)
                            ? failure + ", " + e.getClass().getSimpleName() : failure, wait);
            scheduleBind(wait);
            return;
        }
        session = candidate;
        bindFailure = null;
        backoff = properties.rebindBackoff();
        log.info("SMPP provider {} bound to {}:{} as transceiver", id, properties.host(), properties.port());
        if (!running) {
            candidate.unbindAndClose();
        } else if (!candidate.getSessionState().isBound()) {
            scheduleBind(backoff);
        }
    }

    /**
     * What a step reason may say about a failed bind: the SMSC's command status ({@code ESME_RBINDFAIL}), a failed
     * TLS handshake, or that the connection failed; the exception's class name is logged, never shown to a client
     * (S-47).
     */
    static String failureReason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NegativeResponseException negative) {
                return statusName(negative.getCommandStatus());
            }
            if (t instanceof SSLException) {
                return "TLS handshake failed";
            }
        }
        return CONNECTION_FAILED;
    }

    /** Why the last bind failed, or null when the provider is bound or has not tried yet. */
    String bindFailure() {
        return bindFailure;
    }

    private void stateChanged(SessionState newState, SessionState oldState, Session source) {
        if (newState == SessionState.CLOSED && source == session && running) {
            log.warn("SMPP provider {} lost its bind to {}:{}; binding again in {}", id, properties.host(),
                    properties.port(), backoff);
            scheduleBind(backoff);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Unbinds and stops binding again. */
    @Override
    public void close() {
        running = false;
        binder.shutdownNow();
        SMPPSession current = session;
        session = null;
        if (current != null) {
            boolean wasBound = current.getSessionState().isBound();
            current.unbindAndClose();
            if (wasBound) {
                log.info("SMPP provider {} unbound from {}:{}", id, properties.host(), properties.port());
            }
        }
    }

    /** Reads a delivery receipt, from its TLVs when present, else from its text; null when it names no message. */
    DeliveryReceipt receipt(DeliverSm deliverSm) {
        String messageId = null;
        String stat = null;
        String err = null;
        if (deliverSm.getOptionalParameter(OptionalParameter.Tag.RECEIPTED_MESSAGE_ID)
                instanceof OptionalParameter.COctetString receipted) {
            messageId = receipted.getValueAsString();
        }
        if (deliverSm.getOptionalParameter(OptionalParameter.Tag.MESSAGE_STATE)
                instanceof OptionalParameter.Message_state state) {
            stat = stat(state.getMessageState());
        }
        byte[] text = deliverSm.getShortMessage();
        if (text != null && text.length > 0) {
            String id = null;
            String textStat = null;
            try {
                org.jsmpp.bean.DeliveryReceipt parsed = deliverSm.getShortMessageAsDeliveryReceipt();
                id = parsed.getId();
                textStat = parsed.getFinalStatus() == null ? null : parsed.getFinalStatus().name();
                err = parsed.getError();
            } catch (InvalidDeliveryReceiptException | RuntimeException e) {
                String ascii = new String(text, StandardCharsets.ISO_8859_1);
                id = group(RECEIPT_ID, ascii);
                textStat = group(RECEIPT_STAT, ascii);
                err = group(RECEIPT_ERR, ascii);
            }
            messageId = messageId != null ? messageId : id;
            stat = stat != null ? stat : textStat;
        }
        if (messageId == null || stat == null) {
            return null;
        }
        stat = stat.toUpperCase(java.util.Locale.ROOT);
        DeliveryReceipt.Status status = switch (stat) {
            case "DELIVRD" -> DeliveryReceipt.Status.DELIVERED;
            case "ENROUTE", "ACCEPTD", "SCHEDLD" -> DeliveryReceipt.Status.SENT;
            default -> DeliveryReceipt.Status.UNDELIVERED;
        };
        String reason = status != DeliveryReceipt.Status.UNDELIVERED ? null
                : err != null && !err.isBlank() && !err.chars().allMatch(c -> c == '0') ? stat + " err:" + err : stat;
        return new DeliveryReceipt(id, messageId, status, reason, Instant.now());
    }

    private static String group(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String stat(OptionalParameter.Message_state.Message_state_enum state) {
        if (state == null) {
            return null;
        }
        return switch (state) {
            case DELIVERED -> "DELIVRD";
            case ENROUTE -> "ENROUTE";
            case ACCEPTED -> "ACCEPTD";
            case SCHEDULED -> "SCHEDLD";
            case UNDELIVERABLE -> "UNDELIV";
            case REJECTED -> "REJECTD";
            case EXPIRED -> "EXPIRED";
            case DELETED -> "DELETED";
            case SKIPPED -> "SKIPPED";
            case UNKNOWN -> "UNKNOWN";
        };
    }

    /**
     * jSMPP's own reader allocates whatever {@code command_length} the SMSC announces, up to 2 GB. No SMPP 3.4 PDU is
     * longer than its largest TLV ({@code message_payload}, 64 KB) and its fixed fields, so a longer (or a negative)
     * length ends the connection, and the bind is made again, instead of filling memory.
     */
    static final class BoundedPduReader extends DefaultPDUReader {

        static final int MAX_PDU_OCTETS = 70_000;

        @Override
        public Command readPDUHeader(DataInputStream in) throws IOException {
            int length = in.readInt();
            if (length < 16 || length > MAX_PDU_OCTETS) {
                throw new IOException("SMPP PDU of " + length + " octets refused");
            }
            Command header = new Command();
            header.setCommandLength(length);
            header.setCommandId(in.readInt());
            header.setCommandStatus(in.readInt());
            header.setSequenceNumber(in.readInt());
            return header;
        }
    }

    /** Answers every {@code deliver_sm} with {@code deliver_sm_resp} (by returning), handing receipts on. */
    private final class Receiver implements MessageReceiverListener {

        @Override
        public void onAcceptDeliverSm(DeliverSm deliverSm) {
            if (!MessageType.SMSC_DEL_RECEIPT.containedIn(deliverSm.getEsmClass())) {
                log.debug("SMPP provider {} ignored a mobile-originated message", id);
                return;
            }
            try {
                DeliveryReceipt receipt = receipt(deliverSm);
                if (receipt == null) {
                    log.warn("SMPP provider {} received a receipt without message id or state", id);
                } else {
                    receipts.accept(receipt);
                }
            } catch (RuntimeException e) {
                log.warn("SMPP provider {} could not record a receipt ({})", id, e.getClass().getSimpleName());
            }
        }

        @Override
        public void onAcceptAlertNotification(AlertNotification alertNotification) {
            // Nothing waits for a subscriber to become reachable.
        }

        @Override
        public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
            throw new ProcessRequestException("data_sm is not supported", SMPPConstant.STAT_ESME_RINVCMDID);
        }
    }
}
