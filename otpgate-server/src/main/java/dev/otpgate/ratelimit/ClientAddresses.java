package dev.otpgate.ratelimit;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.security.web.util.matcher.IpAddressMatcher;
import org.springframework.stereotype.Component;

/**
 * The client's address and scheme as far as they can be believed (S-27): the socket peer, or, only when the peer is one of
 * {@code otpgate.rate-limit.trusted-proxies}, the right-most {@code X-Forwarded-For} entry that is not itself a
 * trusted proxy. Entries to the left of it were written by the client and are never believed. An entry that
 * is not an IP literal is never resolved through DNS: the address of the proxy that passed it on is used.
 * Addresses come back in one canonical spelling (Java's: {@code ::1} as {@code 0:0:0:0:0:0:0:1}).
 */
@Component
public class ClientAddresses {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV4_WITH_PORT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):\\d{1,5}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern BRACKETED_IPV6 = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::\\d{1,5})?");

    private final List<IpAddressMatcher> trusted;

    public ClientAddresses(RateLimitProperties properties) {
        List<IpAddressMatcher> matchers = new ArrayList<>();
        for (String entry : properties.trustedProxies()) {
            String range = entry == null ? "" : entry.trim();
            String address = range.contains("/") ? range.substring(0, range.indexOf('/')) : range;
            if (literal(address) == null) {
                throw new IllegalStateException("otpgate.rate-limit.trusted-proxies: '" + entry
                        + "' is not an IP address or CIDR range");
            }
            try {
                matchers.add(new IpAddressMatcher(range));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("otpgate.rate-limit.trusted-proxies: '" + entry
                        + "' is not an IP address or CIDR range", e);
            }
        }
        this.trusted = List.copyOf(matchers);
    }

    /** The client's address for {@code request}. */
    public String resolve(HttpServletRequest request) {
        String peer = canonical(request.getRemoteAddr());
        if (trusted.isEmpty() || !isTrusted(peer)) {
            return peer;
        }
        List<String> forwarded = new ArrayList<>();
        for (String header : Collections.list(request.getHeaders("X-Forwarded-For"))) {
            for (String entry : header.split(",")) {
                if (!entry.isBlank()) {
                    forwarded.add(entry.trim());
                }
            }
        }
        String nearest = peer;
        for (int i = forwarded.size() - 1; i >= 0; i--) {
            String address = literal(forwarded.get(i));
            if (address == null) {
                // Garbage from a hop the trusted proxy could not vouch for: the proxy that passed it on stands in.
                return nearest;
            }
            if (!isTrusted(address)) {
                return address;
            }
            nearest = address;
        }
        return nearest;
    }

    /**
     * The scheme the client used, as the nearest trusted proxy reports it in {@code X-Forwarded-Proto}
     * ({@code https} or {@code http}, its right-most value), or {@code null} when the peer is no trusted proxy
     * or says nothing usable: then only the socket tells.
     */
    public String forwardedScheme(HttpServletRequest request) {
        if (trusted.isEmpty() || !isTrusted(canonical(request.getRemoteAddr()))) {
            return null;
        }
        String proto = null;
        for (String header : Collections.list(request.getHeaders("X-Forwarded-Proto"))) {
            for (String entry : header.split(",")) {
                if (!entry.isBlank()) {
                    proto = entry.trim().toLowerCase(java.util.Locale.ROOT);
                }
            }
        }
        return "https".equals(proto) || "http".equals(proto) ? proto : null;
    }

    private boolean isTrusted(String address) {
        for (IpAddressMatcher matcher : trusted) {
            if (matcher.matches(address)) {
                return true;
            }
        }
        return false;
    }

    private static String canonical(String address) {
        String literal = literal(address);
        return literal == null ? address : literal;
    }

    /** The canonical spelling of an IP literal, or null when {@code value} is not one (never a DNS lookup). */
    static String literal(String value) {
        if (value == null) {
            return null;
        }
        String candidate = value.trim();
        var bracketed = BRACKETED_IPV6.matcher(candidate);
        var withPort = IPV4_WITH_PORT.matcher(candidate);
        if (bracketed.matches()) {
            candidate = bracketed.group(1);
        } else if (withPort.matches()) {
            candidate = withPort.group(1);
        }
        if (IPV4.matcher(candidate).matches()) {
            for (String octet : candidate.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        } else if (!IPV6.matcher(candidate).matches()) {
            return null;
        }
        try {
            // Only literals reach this point, which InetAddress parses without a lookup.
            return InetAddress.getByName(candidate).getHostAddress();
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }
}
