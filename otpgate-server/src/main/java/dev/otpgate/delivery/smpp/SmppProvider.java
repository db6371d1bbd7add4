package dev.otpgate.delivery.smpp;

import dev.otpgate.delivery.provider.Provider;
import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.DeliveryReceipt;
import dev.otpgate.delivery.provider.OutboundMessage;
import dev.otpgate.delivery.provider.ReceiptSink;
import dev.otpgate.delivery.provider.SendResult;
import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.jsmpp.DefaultPDUSender;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.SynchronizedPDUSender;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
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
        SmppSubmit submit = SmppSubmit.of(message, properties.sourceAddress());

        acquire();
        try {
            SubmitSmResult result = submit.sendOn(current);
            String messageId = result.getMessageId();
            if (messageId == null || messageId.isBlank()) {
                // S-08: an acceptance without a message id is not one: no receipt could ever be matched to it.
                throw new DeliveryException("SMPP submit_sm_resp without a message id", false, null);
            }
            log.debug("SMPP provider {} accepted {} as {}", id, message.reference(), messageId);
            return new SendResult(messageId, message.segments(), submit.encoding());
        } catch (NegativeResponseException e) {
            String status = SmppStatus.name(e.getCommandStatus());
            throw new DeliveryException(status, !SmppStatus.temporary(status), null);
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
            String failure = SmppStatus.bindFailure(e);
            bindFailure = failure;
            // One line, no stack trace: the SMSC refusing a bind is an operator's matter, not a defect here.
            log.warn("SMPP provider {} could not bind to {}:{} ({}); next try in {}", id, properties.host(),
                    properties.port(), failure.equals(SmppStatus.CONNECTION_FAILED)
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

    /** Answers every {@code deliver_sm} with {@code deliver_sm_resp} (by returning), handing receipts on. */
    private final class Receiver implements MessageReceiverListener {

        @Override
        public void onAcceptDeliverSm(DeliverSm deliverSm) {
            if (!MessageType.SMSC_DEL_RECEIPT.containedIn(deliverSm.getEsmClass())) {
                log.debug("SMPP provider {} ignored a mobile-originated message", id);
                return;
            }
            try {
                DeliveryReceipt receipt = SmppReceipts.read(id, deliverSm);
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
