package dev.otpgate.delivery.smpp;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jsmpp.session.connection.Connection;
import org.jsmpp.session.connection.ConnectionFactory;
import org.jsmpp.session.connection.socket.SocketConnection;

/**
 * SMPP over TLS 1.3 or 1.2 (S-08): the SMSC's certificate is checked against the JVM's trust store, or against the
 * CA certificates of a PEM file when one is configured, and must name the host the provider connects to
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
     * Trusts the JVM's CAs when {@code ca} is null, else only the certificates in that PEM file.
     *
     * @param property the setting that named {@code ca}, for the message when it cannot be read
     * @param timeout how long the connection and the handshake may each take
     */
    static TlsConnectionFactory trusting(Path ca, String property, Duration timeout) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(ca == null ? null : trustStore(ca, property));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return new TlsConnectionFactory(context.getSocketFactory(), timeout);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SMPP provider: cannot set up TLS with " + property + " (" + e.getMessage()
                    + ")", e);
        }
    }

    private static KeyStore trustStore(Path ca, String property) throws GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(ca)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalStateException("SMPP provider: " + property + " cannot be read: " + ca, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SMPP provider: " + property + " is not a PEM certificate file: " + ca, e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalStateException("SMPP provider: " + property + " holds no certificate: " + ca);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int index = 0;
        for (Certificate certificate : certificates) {
            store.setCertificateEntry("ca-" + index++, certificate);
        }
        return store;
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
