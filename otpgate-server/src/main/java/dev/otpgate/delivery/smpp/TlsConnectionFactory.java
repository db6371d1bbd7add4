package dev.otpgate.delivery.smpp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.jsmpp.session.connection.Connection;
import org.jsmpp.session.connection.ConnectionFactory;
import org.jsmpp.session.connection.socket.SocketConnection;

/**
 * SMPP over TLS 1.3 or 1.2 (S-08): the SMSC's certificate is checked against the JVM's trust store, or against the
 * trust material of the provider's SSL bundle when one is configured, and must name the host the provider connects to
 * (endpoint identification as for HTTPS, RFC 2818 section 3.1). The handshake completes before jSMPP sees the
 * connection, so the bind, and its password, only ever travel encrypted to a verified peer.
 *
 * <p>jSMPP's own {@code SSLSocketConnectionFactory} checks the chain but not the host name, hence this one. It
 * presents no client certificate and does not check revocation.
 */
final class TlsConnectionFactory implements ConnectionFactory {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLSocketFactory sockets;
    private final int timeoutMillis;

    private TlsConnectionFactory(SSLSocketFactory sockets, Duration timeout) {
        this.sockets = sockets;
        this.timeoutMillis = Math.toIntExact(timeout.toMillis());
    }

    /**
     * Trusts the JVM's CAs when {@code trust} is null, else the trust material of that context (an SSL bundle's).
     *
     * @param timeout how long the connection and the handshake may each take
     */
    static TlsConnectionFactory trusting(SSLContext trust, Duration timeout) {
        try {
            return new TlsConnectionFactory((trust == null ? SSLContext.getDefault() : trust).getSocketFactory(),
                    timeout);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SMPP provider: the JVM's TLS context is unavailable (" + e.getMessage()
                    + ")", e);
        }
    }

    @Override
    public Connection createConnection(String host, int port) throws IOException {
        Socket tcp = new Socket();
        try {
            tcp.connect(new InetSocketAddress(host, port), timeoutMillis);
            // For the handshake only: jSMPP sets its own read timeout once it has the connection.
            tcp.setSoTimeout(timeoutMillis);
            SSLSocket socket = (SSLSocket) sockets.createSocket(tcp, host, port, true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(PROTOCOLS);
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return new SocketConnection(socket);
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }
}
