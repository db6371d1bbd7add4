package dev.otpgate.events;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * Which addresses a webhook may reach. Refused, each under a rule name the API quotes: {@code cloud-metadata}
 * (always, even when allowlisted), {@code this-network} ({@code 0.0.0.0/8}, {@code ::}), {@code loopback},
 * {@code private} (RFC 1918 and the shared {@code 100.64.0.0/10}), {@code link-local}, {@code multicast},
 * {@code unique-local} ({@code fc00::/7}) and {@code reserved} ({@code 240.0.0.0/4}, benchmarking
 * {@code 198.18.0.0/15}). An IPv6 address that embeds an IPv4 one (mapped, compatible, NAT64, 6to4) is judged by
 * the embedded address. The operator's {@code allowed-private-networks} lift every rule but the first.
 */
final class AddressPolicy {

    private static final List<String> METADATA = List.of("169.254.169.254/32", "169.254.170.2/32", "100.100.100.200/32",
            "fd00:ec2::254/128");
    private static final List<String> PRIVATE = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10");
    private static final List<String> RESERVED = List.of("240.0.0.0/4", "198.18.0.0/15");

    private final List<Cidr> metadata = matchers(METADATA);
    private final List<Cidr> privateNetworks = matchers(PRIVATE);
    private final List<Cidr> reserved = matchers(RESERVED);
    private final List<Cidr> thisNetwork = matchers(List.of("0.0.0.0/8"));
    private final List<Cidr> uniqueLocal = matchers(List.of("fc00::/7"));
    private final List<Cidr> allowed;

    /** @param allowedNetworks CIDRs; a malformed one stops start-up */
    AddressPolicy(List<String> allowedNetworks) {
        for (String cidr : allowedNetworks) {
            if (!cidr.matches("[0-9A-Fa-f:.]+(/[0-9]{1,3})?")) {
                throw new IllegalStateException("otpgate.webhooks.allowed-private-networks: '" + cidr + "' is not a CIDR");
            }
        }
        this.allowed = matchers(allowedNetworks);
    }

    /** The rule that refuses {@code address}, or empty when a webhook may reach it. */
    Optional<String> refusal(InetAddress address) {
        InetAddress judged = embeddedIpv4(address).orElse(address);
        String text = judged.getHostAddress();
        if (matchesAny(metadata, text)) {
            return Optional.of("cloud-metadata");
        }
        if (matchesAny(allowed, text)) {
            return Optional.empty();
        }
        if (judged.isAnyLocalAddress() || matchesAny(thisNetwork, text)) {
            return Optional.of("this-network");
        }
        if (judged.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (judged.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (judged.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        if (matchesAny(privateNetworks, text) || judged.isSiteLocalAddress() && !(judged instanceof Inet6Address)) {
            return Optional.of("private");
        }
        if (matchesAny(uniqueLocal, text) || judged.isSiteLocalAddress()) {
            return Optional.of("unique-local");
        }
        if (matchesAny(reserved, text)) {
            return Optional.of("reserved");
        }
        return Optional.empty();
    }

    /** The IPv4 address inside an IPv4-compatible, NAT64 ({@code 64:ff9b::/96}) or 6to4 ({@code 2002::/16}) one. */
    private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] b = address.getAddress();
        try {
            boolean zeroPrefix = true;
            for (int i = 0; i < 12; i++) {
                zeroPrefix &= b[i] == 0;
            }
            if (zeroPrefix && !address.isLoopbackAddress() && !address.isAnyLocalAddress()) {
                return Optional.of(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
            }
            boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
            for (int i = 4; i < 12 && nat64; i++) {
                nat64 = b[i] == 0;
            }
            if (nat64) {
                return Optional.of(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
            }
            if (b[0] == 0x20 && b[1] == 0x02) {
                return Optional.of(InetAddress.getByAddress(new byte[] {b[2], b[3], b[4], b[5]}));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return Optional.empty();
    }

    /** A network; only addresses of its own family are compared with it. */
    private record Cidr(IpAddressMatcher matcher, boolean ipv6) {}

    private static boolean matchesAny(List<Cidr> networks, String address) {
        boolean ipv6 = address.contains(":");
        for (Cidr network : networks) {
            if (network.ipv6() == ipv6 && network.matcher().matches(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<Cidr> matchers(List<String> cidrs) {
        return cidrs.stream().map(cidr -> new Cidr(new IpAddressMatcher(cidr), cidr.contains(":"))).toList();
    }
}
