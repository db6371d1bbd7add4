package dev.otpgate.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Syslog over TCP: each line is an RFC 5424 message ({@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG},
 * MSGID {@code audit_event} or {@code audit_checkpoint}, the JSON line as MSG), framed by octet counting (RFC 6587
 * 3.4.1, as RFC 5425 requires over TLS). With an SSL context the connection is TLS with the server's certificate and
 * host name checked. One connection is kept open and replaced after a failure.
 */
final class SyslogAuditSink implements AuditSink {

    private static final int NOTICE = 5;
    private static final int INFO = 6;

    private final AuditProperties.Syslog settings;
    private final SSLContext tls;
    private final String hostname;
    private final String procId;
    private Socket socket;

    SyslogAuditSink(AuditProperties.Syslog settings, SSLContext tls) {
        this.settings = settings;
        this.tls = tls;
        this.hostname = localHostname();
        this.procId = Long.toString(ProcessHandle.current().pid());
    }

    @Override
    public String name() {
        return "syslog";
    }

    @Override
    public synchronized void deliver(List<Line> lines) throws IOException {
        try {
            OutputStream out = connection().getOutputStream();
            StringBuilder batch = new StringBuilder();
            for (Line line : lines) {
                int priority = settings.facility() * 8 + (line.checkpoint() ? INFO : NOTICE);
                String message = "<" + priority + ">1 " + CanonicalForm.time(line.time()) + " " + hostname + " "
                        + settings.appName() + " " + procId + " " + (line.checkpoint() ? AuditLines.CHECKPOINT : AuditLines.EVENT)
                        + " - " + line.json();
                batch.append(message.getBytes(StandardCharsets.UTF_8).length).append(' ').append(message);
            }
            out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private Socket connection() throws IOException {
        if (socket != null && !socket.isClosed() && peerStillThere(socket)) {
            return socket;
        }
        close();
        int timeout = (int) settings.timeout().toMillis();
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(settings.host(), settings.port()), timeout);
        plain.setSoTimeout(timeout);
        if (tls == null) {
            socket = plain;
            return socket;
        }
        SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, settings.host(), settings.port(), true);
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        secure.setSSLParameters(parameters);
        secure.startHandshake();
        socket = secure;
        return socket;
    }

    /**
     * A server that went away leaves a socket that still accepts a first write into the void. The server never
     * writes to us, so a read that finds the end of the stream (or an error) at once means it is gone.
     */
    private boolean peerStillThere(Socket current) {
        try {
            int timeout = current.getSoTimeout();
            current.setSoTimeout(1);
            try {
                return current.getInputStream().read() != -1;
            } catch (java.net.SocketTimeoutException quiet) {
                return true;
            } finally {
                current.setSoTimeout(timeout);
            }
        } catch (IOException e) {
            return false;
        }
    }

    synchronized void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing a broken connection: nothing more to learn.
            }
            socket = null;
        }
    }

    private static String localHostname() {
        try {
            String name = java.net.InetAddress.getLocalHost().getHostName();
            return name == null || name.isBlank() ? "-" : name.replace(' ', '_');
        } catch (IOException e) {
            return "-";
        }
    }
}
