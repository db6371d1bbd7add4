package dev.otpgate.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every address class webhooks may not reach, by the rule name the API quotes (SSRF). */
class AddressPolicyTests {

    private final AddressPolicy policy = new AddressPolicy(List.of());

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, loopback", "127.8.9.10, loopback", "::1, loopback",
        "10.1.2.3, private", "172.16.0.1, private", "172.31.255.255, private", "192.168.1.1, private", "100.64.0.1, private",
        "169.254.1.1, link-local", "fe80::1, link-local",
        "224.0.0.1, multicast", "239.255.255.250, multicast", "ff02::1, multicast",
        "fc00::1, unique-local", "fd12:3456::1, unique-local",
        "0.0.0.0, this-network", "0.1.2.3, this-network", "::, this-network",
        "169.254.169.254, cloud-metadata", "169.254.170.2, cloud-metadata", "100.100.100.200, cloud-metadata",
        "fd00:ec2::254, cloud-metadata",
        "240.0.0.1, reserved", "255.255.255.255, reserved", "198.18.0.1, reserved",
        // IPv6 forms that embed an IPv4 address are judged by it.
        "::ffff:127.0.0.1, loopback", "::ffff:169.254.169.254, cloud-metadata", "::10.0.0.1, private",
        "64:ff9b::a00:1, private", "2002:a9fe:a9fe::1, cloud-metadata"
    })
    void refusalWhenTheAddressIsOfARefusedClassThenNamesItsRule(String address, String rule) throws Exception {
        assertThat(policy.refusal(InetAddress.getByName(address))).contains(rule);
    }

    @ParameterizedTest
    @CsvSource({"93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "172.32.0.1", "100.128.0.1"})
    void refusalWhenTheAddressIsPublicThenNone(String address) throws Exception {
        assertThat(policy.refusal(InetAddress.getByName(address))).isEmpty();
    }

    @Test
    void allowlistLiftsPrivateRulesButNeverTheCloudMetadataOne() throws Exception {
        AddressPolicy allowing = new AddressPolicy(List.of("127.0.0.0/8", "169.254.0.0/16", "10.0.0.0/8"));
        assertThat(allowing.refusal(InetAddress.getByName("127.0.0.1"))).isEmpty();
        assertThat(allowing.refusal(InetAddress.getByName("10.9.9.9"))).isEmpty();
        assertThat(allowing.refusal(InetAddress.getByName("169.254.169.254"))).isEqualTo(Optional.of("cloud-metadata"));
        assertThat(allowing.refusal(InetAddress.getByName("192.168.0.1"))).contains("private");
    }

    @Test
    void allowlistWhenAnEntryIsNotACidrThenStartUpFails() {
        assertThatThrownBy(() -> new AddressPolicy(List.of("localhost"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("allowed-private-networks");
    }
}
