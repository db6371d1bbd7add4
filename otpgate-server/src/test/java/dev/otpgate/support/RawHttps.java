package dev.otpgate.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Sends bytes exactly as given over TLS and reads one HTTP/1.1 answer: no client library normalises a path,
 * drops a control byte or re-frames a body on the way, so the server meets what an attacker would send.
 */
public final class RawHttps {

    public record Answer(int status, Map<String, List<String>> headers, String body, Duration took) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(", ", values);
        }

        public String contentType() {
            return header("Content-Type");
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    /** The server closed the connection while the request was still being written, and no answer arrived. */
    public static final class ClosedWhileSendingException extends IOException {
        ClosedWhileSendingException(IOException cause) {
            super("closed while the request was being sent", cause);
        }
    }

    private final SSLContext tls;
    private final String host;
    private final int port;
    private final Duration timeout;

    public RawHttps(Path caCertificate, String host, int port, Duration timeout) {
        this.tls = ApiClient.trusting(caCertificate);
        this.host = host;
        this.port = port;
        this.timeout = timeout;
    }

    /** A request line, headers (Host and Connection: close added) and a body, all as ISO-8859-1 text. */
    public Answer send(String requestLine, List<String> headers, String body) throws IOException {
        StringBuilder out = new StringBuilder(requestLine).append("\r\n");
        out.append("Host: ").append(host).append("\r\nConnection: close\r\n");
        for (String header : headers) {
            out.append(header).append("\r\n");
        }
        out.append("\r\n");
        if (body != null) {
            out.append(body);
        }
        return send(out.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    public Answer send(byte[] request) throws IOException {
        long started = System.nanoTime();
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before a long request is fully sent (a bad request line
                // with a body behind it): its answer can still be read.
                byte[] received = readAll(socket.getInputStream());
                if (received.length == 0) {
                    throw new ClosedWhileSendingException(e);
                }
                return parse(received, Duration.ofNanos(System.nanoTime() - started));
            }
            byte[] received = readAll(socket.getInputStream());
            return parse(received, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        if (in == null) {
            return received.toByteArray();
        }
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            // A reset after the answer was sent (the server closes a connection it refused): keep what arrived.
            if (received.size() == 0) {
                throw e;
            }
        }
        return received.toByteArray();
    }

    static Answer parse(byte[] bytes, Duration took) throws IOException {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        // An interim answer (100 Continue to an Expect header) comes before the final one.
        while (text.startsWith("HTTP/1.1 1") && text.indexOf("\r\n\r\n") > 0) {
            text = text.substring(text.indexOf("\r\n\r\n") + 4);
        }
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new IOException("no HTTP answer, " + bytes.length + " bytes");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        String rawBody = text.substring(end + 4);
        List<String> encoding = headers.get("transfer-encoding");
        String body = encoding != null && encoding.contains("chunked") ? dechunk(rawBody) : rawBody;
        return new Answer(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8), took);
    }

    private static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            body.append(chunked, lineEnd + 2, Math.min(chunked.length(), lineEnd + 2 + size));
            at = lineEnd + 2 + size + 2;
        }
        return body.toString();
    }
}
