package dev.otpgate.delivery.smpp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jsmpp.PDUStringException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.ServerConnection;
import org.jsmpp.session.connection.ServerConnectionFactory;
import org.jsmpp.session.connection.socket.ServerSocketConnection;
import org.jsmpp.util.MessageId;

/**
 * An SMSC for tests and the benchmark, on jSMPP's server side, listening on a free loopback port, in plain TCP or
 * inside TLS. It accepts
 * transceiver binds whose password matches {@link #password}, records every {@code submit_sm} and answers it
 * with a fresh message id, or with {@link #failWith} when set, after {@link #hold} opens.
 */
public final class TestSmsc implements AutoCloseable {

    public final String systemId = "otpgate";
    public volatile String password = "pw-ok1";
    /** A command status to refuse every bind with; 0 checks the system id and password. */
    public volatile int refuseBindsWith;
    /** How many bind requests arrived (decrypted, over TLS), whatever their answer. */
    public final AtomicInteger bindRequests = new AtomicInteger();
    /** A command status to answer submits with; 0 answers OK. */
    public volatile int failWith;
    /** When set, each submit waits for it before being answered. */
    public volatile java.util.concurrent.CountDownLatch hold;
    public final BlockingQueue<SubmitSm> submits = new LinkedBlockingQueue<>();
    public final List<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();
    public final AtomicInteger inFlight = new AtomicInteger();
    /** Every state a server session entered, in order ({@code UNBOUND} follows an {@code unbind}). */
    public final List<org.jsmpp.extra.SessionState> states = new CopyOnWriteArrayList<>();
    public final AtomicInteger maxInFlight = new AtomicInteger();
    /** When set, submits are answered with this message id instead of a fresh one. */
    public volatile String messageId;
    /** Optional parameters added to every {@code submit_sm_resp}. */
    public volatile org.jsmpp.bean.OptionalParameter[] answerParameters = new org.jsmpp.bean.OptionalParameter[0];
    /**
     * When set, a final receipt with this {@code stat} ({@code DELIVRD}, {@code UNDELIV}) is sent for each accepted
     * submit, and answered by the ESME, before the submit is answered: the receipt is handled before the sender
     * can have recorded the message id, the far end of the race in which it travels right behind the response.
     */
    public volatile String receiptBeforeResponse;
    /** Called with each submit as it arrives, before it is answered. */
    public volatile java.util.function.Consumer<SubmitSm> onSubmit = submit -> { };
    private final AtomicLong ids = new AtomicLong(1000);
    private final SMPPServerSessionListener listener;
    private final Thread acceptor;
    private volatile int port;
    private volatile boolean open = true;

    public TestSmsc() throws IOException {
        this(null);
    }

    /** An SMSC that speaks SMPP only inside TLS, presenting the identity of {@code tls}; plain SMPP when null. */
    public TestSmsc(javax.net.ssl.SSLContext tls) throws IOException {
        ServerConnectionFactory loopback = new ServerConnectionFactory() {
            @Override
            public ServerConnection listen(int ignored) throws IOException {
                return listen(ignored, 0, 50);
            }

            @Override
            public ServerConnection listen(int ignored, int timeout) throws IOException {
                return listen(ignored, timeout, 50);
            }

            @Override
            public ServerConnection listen(int ignored, int timeout, int backlog) throws IOException {
                ServerSocket socket = tls == null
                        ? new ServerSocket(0, backlog, InetAddress.getLoopbackAddress())
                        : tls.getServerSocketFactory().createServerSocket(0, backlog, InetAddress.getLoopbackAddress());
                socket.setSoTimeout(timeout);
                port = socket.getLocalPort();
                return new ServerSocketConnection(socket);
            }
        };
        listener = new SMPPServerSessionListener(0, 0, 50, loopback);
        listener.setPduProcessorDegree(32);
        listener.setQueueCapacity(1000);
        listener.setMessageReceiverListener(new Receiver());
        listener.setSessionStateListener((newState, oldState, source) -> states.add(newState));
        acceptor = new Thread(this::acceptLoop, "test-smsc");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return port;
    }

    private void acceptLoop() {
        while (open) {
            try {
                SMPPServerSession session = listener.accept();
                Thread binder = new Thread(() -> answerBind(session), "test-smsc-bind");
                binder.setDaemon(true);
                binder.start();
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    private void answerBind(SMPPServerSession session) {
        try {
            BindRequest bind = session.waitForBind(5000);
            bindRequests.incrementAndGet();
            if (refuseBindsWith != 0) {
                bind.reject(refuseBindsWith);
            } else if (systemId.equals(bind.getSystemId()) && password.equals(bind.getPassword())) {
                bind.accept("test-smsc");
                sessions.add(session);
            } else {
                bind.reject(SMPPConstant.STAT_ESME_RINVPASWD);
            }
        } catch (Exception e) {
            session.close();
        }
    }

    /** Drops every bound session without unbinding, as a lost connection does. */
    public void dropSessions() {
        for (SMPPServerSession session : sessions) {
            sessions.remove(session);
            session.close();
        }
    }

    /**
     * Sends a receipt in the text format of SMPP 3.4 Appendix B and returns once the ESME answered it (having
     * handed it on).
     */
    public static void deliverReceipt(SMPPServerSession session, String messageId, String stat) {
        String text = "id:" + messageId + " sub:001 dlvrd:" + ("DELIVRD".equals(stat) ? "001" : "000")
                + " submit date:2611231200 done date:2611231201 stat:" + stat + " err:" + ("DELIVRD".equals(stat)
                ? "000" : "034") + " text:";
        try {
            session.deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, "14155550123",
                    TypeOfNumber.ALPHANUMERIC, NumberingPlanIndicator.UNKNOWN, "OTPGATE",
                    new ESMClass(MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT),
                    (byte) 0, (byte) 0, new RegisteredDelivery(0), DataCodings.ZERO,
                    text.getBytes(StandardCharsets.ISO_8859_1));
        } catch (Exception e) {
            throw new IllegalStateException("the receipt for " + messageId + " was not answered", e);
        }
    }

    public SMPPServerSession session() {
        return sessions.getFirst();
    }

    @Override
    public void close() throws IOException {
        open = false;
        dropSessions();
        listener.close();
    }

    private final class Receiver implements ServerMessageReceiverListener {

        @Override
        public SubmitSmResult onAcceptSubmitSm(SubmitSm submitSm, SMPPServerSession source)
                throws ProcessRequestException {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                submits.add(submitSm);
                onSubmit.accept(submitSm);
                java.util.concurrent.CountDownLatch gate = hold;
                if (gate != null && !gate.await(10, TimeUnit.SECONDS)) {
                    throw new ProcessRequestException("held too long", SMPPConstant.STAT_ESME_RSYSERR);
                }
                int status = failWith;
                if (status != 0) {
                    throw new ProcessRequestException("refused", status);
                }
                String id = messageId != null ? messageId : Long.toHexString(ids.incrementAndGet());
                String stat = receiptBeforeResponse;
                if (stat != null) {
                    deliverReceipt(source, id, stat);
                }
                return new SubmitSmResult(new MessageId(id), answerParameters);
            } catch (InterruptedException | PDUStringException e) {
                throw new ProcessRequestException("failed", SMPPConstant.STAT_ESME_RSYSERR);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("unsupported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("unsupported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("unsupported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("unsupported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("unsupported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancelBroadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("unsupported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm queryBroadcastSm,
                SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("unsupported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
            throw new ProcessRequestException("unsupported", SMPPConstant.STAT_ESME_RINVCMDID);
        }
    }
}
