package dev.otpgate.events;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTPS POST to an address that was checked beforehand: the TCP connection goes to that address (no name is
 * resolved here, so a DNS answer that changes after the check reaches nothing), TLS sends the original host name
 * as SNI and verifies the certificate for it ({@code HTTPS} endpoint identification) against the configured trust.
 * No proxy, no redirects, no connection reuse: HTTP/1.1 with {@code Connection: close}; only the status line and
 * the headers of the answer are read (at most 16 kB), never its body. The JDK's {@code HttpClient} resolves
 * names itself and offers no way to connect to a given address, which is why this is not built on it.
 */
final class PinnedHttps {

    private static final int MAX_HEAD_BYTES = 16 * 1024;

    /** What an attempt got. */
    sealed interface Reply permits Answered, NoAnswer {}

    /** @param retryAfter the answer's {@code Retry-After}, or {@code null} */
    record Answered(int status, Duration retryAfter) implements Reply {}

    /** @param error a short class: {@code timeout}, {@code connect}, {@code tls}, {@code protocol} */
    record NoAnswer(String error) implements Reply {}

    private final SSLContext tls;
    private final Clock clock;

    PinnedHttps(SSLContext tls, Clock clock) {
        this.tls = tls;
        this.clock = clock;
    }

    Reply post(WebhookTargets.Allowed target, Map<String, String> headers, byte[] body, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        for (InetAddress address : target.addresses()) {
            if (System.nanoTime() >= deadline) {
                return new NoAnswer("timeout");
            }
            try (Socket raw = new Socket(Proxy.NO_PROXY)) {
                raw.connect(new InetSocketAddress(address, target.port()), remainingMillis(deadline));
                return exchange(raw, target, headers, body, deadline);
            } catch (SocketTimeoutException e) {
                return new NoAnswer("timeout");
            } catch (SSLException e) {
                return new NoAnswer("tls");
            } catch (ProtocolException e) {
                return new NoAnswer("protocol");
            } catch (IOException e) {
                last = e;
            }
        }
        return new NoAnswer(last == null ? "connect" : "connect");
    }

    private Reply exchange(Socket raw, WebhookTargets.Allowed target, Map<String, String> headers, byte[] body, long deadline)
            throws IOException {
        // Not closed through TLS: a close_notify exchange would wait for a receiver that is not answering, past
        // the timeout. The caller closes the TCP connection, which ends the attempt at once.
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(raw, target.host(), target.port(), false);
        {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (!WebhookTargets.literal(target.host())) {
                parameters.setServerNames(List.of(new SNIHostName(target.host())));
            }
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(remainingMillis(deadline));
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write(head(target, headers, body.length).getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()), socket, deadline);
        }
    }

    private static String head(WebhookTargets.Allowed target, Map<String, String> headers, int length) {
        String path = target.uri().getRawPath() == null || target.uri().getRawPath().isEmpty() ? "/" : target.uri().getRawPath();
        if (target.uri().getRawQuery() != null) {
            path += "?" + target.uri().getRawQuery();
        }
        String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
        StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(target.port() == 443 ? "" : ":" + target.port()).append("\r\n")
                .append("User-Agent: otpgate-webhooks\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(length).append("\r\n")
                .append("Connection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        return head.append("\r\n").toString();
    }

    private Reply read(InputStream in, SSLSocket socket, long deadline) throws IOException {
        StringBuilder head = new StringBuilder();
        int previous = -1;
        int blankRun = 0;
        while (true) {
            socket.setSoTimeout(remainingMillis(deadline));
            int b = in.read();
            if (b == -1) {
                break;
            }
            head.append((char) b);
            if (head.length() > MAX_HEAD_BYTES) {
                throw new ProtocolException();
            }
            if (b == '\n' && previous == '\r') {
                blankRun++;
                if (blankRun == 2) {
                    break;
                }
            } else if (b != '\r') {
                blankRun = 0;
            }
            previous = b;
        }
        String[] lines = head.toString().split("\r\n");
        if (lines.length == 0 || !lines[0].matches("HTTP/1\\.[01] [1-5][0-9]{2}( .*)?")) {
            throw new ProtocolException();
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Duration retryAfter = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("retry-after")) {
                retryAfter = retryAfter(lines[i].substring(colon + 1).trim());
            }
        }
        return new Answered(status, retryAfter);
    }

    /** Seconds or an HTTP date (RFC 9110); anything else is ignored. */
    private Duration retryAfter(String value) {
        if (value.matches("[0-9]{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Duration until = Duration.between(clock.instant(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            throw new SocketTimeoutException();
        }
        return (int) Math.min(Integer.MAX_VALUE, remaining);
    }

    /** The answer is not HTTP/1.x or its head is too long. */
    private static final class ProtocolException extends IOException {
        ProtocolException() {
            super(null, null);
        }
    }
}
