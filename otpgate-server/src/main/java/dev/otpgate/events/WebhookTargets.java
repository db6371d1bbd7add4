package dev.otpgate.events;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks a webhook URL: {@code https} only, no credentials, no fragment; the host resolved once and every address
 * it answers judged by the {@link AddressPolicy}. Registration refuses what this refuses, and every attempt asks
 * again before it connects, to the addresses it was given here.
 */
final class WebhookTargets {

    /** What a URL check decides. */
    sealed interface Checked permits Allowed, Refused {}

    /** @param addresses every address the host resolved to, all of them allowed; connect to these only */
    record Allowed(URI uri, String host, int port, List<InetAddress> addresses) implements Checked {}

    /** @param rule a stable name: {@code scheme}, {@code credentials}, {@code malformed}, {@code unresolvable}, or an address rule */
    record Refused(String rule, String detail) implements Checked {}

    private final HostResolver resolver;
    private final AddressPolicy policy;

    WebhookTargets(HostResolver resolver, AddressPolicy policy) {
        this.resolver = resolver;
        this.policy = policy;
    }

    /** Only the form of the URL, without resolving it. */
    static Optional<Refused> formRefusal(String url) {
        if (url == null || url.isBlank() || url.length() > 2048) {
            return Optional.of(new Refused("malformed", "an absolute https URL of at most 2048 characters"));
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of(new Refused("malformed", "not a valid URL"));
        }
        if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase("https")) {
            return Optional.of(new Refused("scheme", "only https URLs are allowed"));
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of(new Refused("credentials", "a URL may not carry credentials"));
        }
        if (uri.getHost() == null || uri.isOpaque()) {
            return Optional.of(new Refused("malformed", "the URL names no host"));
        }
        if (uri.getRawFragment() != null) {
            return Optional.of(new Refused("malformed", "a URL may not carry a fragment"));
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            return Optional.of(new Refused("malformed", "the port must be 1–65535"));
        }
        return Optional.empty();
    }

    Checked check(String url) {
        Optional<Refused> form = formRefusal(url);
        if (form.isPresent()) {
            return form.get();
        }
        URI uri = URI.create(url);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? 443 : uri.getPort();
        List<InetAddress> addresses;
        try {
            addresses = literal(host) ? List.of(InetAddress.getByName(host)) : resolver.resolve(host);
        } catch (UnknownHostException | IllegalArgumentException | SecurityException e) {
            return new Refused("unresolvable", "the host name does not resolve");
        }
        if (addresses.isEmpty()) {
            return new Refused("unresolvable", "the host name does not resolve");
        }
        for (InetAddress address : addresses) {
            Optional<String> rule = policy.refusal(address);
            if (rule.isPresent()) {
                return new Refused(rule.get(), "the host resolves to a " + rule.get() + " address, which webhooks may not reach");
            }
        }
        return new Allowed(uri, host, port, addresses);
    }

    /** An IPv4 or IPv6 literal (resolving it asks no DNS server). */
    static boolean literal(String host) {
        return host.matches("[0-9.]+") && host.chars().filter(c -> c == '.').count() == 3 || host.contains(":");
    }
}
