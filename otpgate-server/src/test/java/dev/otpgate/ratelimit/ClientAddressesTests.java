package dev.otpgate.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** S-27: which address per-IP limits count, for the header shapes a proxy chain produces. */
class ClientAddressesTests {

    static ClientAddresses trusting(String... proxies) {
        return new ClientAddresses(new RateLimitProperties(true, RateLimitProperties.Store.MEMORY, "redis://x", "p:",
                Duration.ofSeconds(1), 10, null, null, null, null, null, null, null, null, Duration.ofMinutes(15),
                Duration.ofHours(24), List.of(proxies)));
    }

    static MockHttpServletRequest from(String peer, String... forwardedFor) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setRemoteAddr(peer);
        for (String header : forwardedFor) {
            request.addHeader("X-Forwarded-For", header);
        }
        return request;
    }

    @Test
    void withoutTrustedProxiesTheSocketPeerCountsWhateverTheHeaderSays_S27() {
        assertThat(trusting().resolve(from("192.0.2.10", "203.0.113.5"))).isEqualTo("192.0.2.10");
        assertThat(trusting().resolve(from("::1", "203.0.113.5"))).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void anUntrustedPeerIsTheClientEvenWhenOtherProxiesAreTrusted_S27() {
        assertThat(trusting("10.0.0.0/8").resolve(from("192.0.2.10", "203.0.113.5"))).isEqualTo("192.0.2.10");
    }

    @Test
    void behindTrustedProxiesTheRightMostUntrustedEntryAcrossAllHeadersIsTheClient_S27() {
        ClientAddresses addresses = trusting("10.0.0.0/8", "2001:db8::/32");
        assertThat(addresses.resolve(from("10.0.0.1", "198.51.100.1, 203.0.113.5", "10.2.3.4"))).isEqualTo("203.0.113.5");
        assertThat(addresses.resolve(from("10.0.0.1", "[2001:db9::1]:443, 2001:db8::7"))).isEqualTo("2001:db9:0:0:0:0:0:1");
        assertThat(addresses.resolve(from("10.0.0.1", "203.0.113.5:5123"))).isEqualTo("203.0.113.5");
        // No header, or only trusted hops: the peer, then the farthest trusted hop.
        assertThat(addresses.resolve(from("10.0.0.1"))).isEqualTo("10.0.0.1");
        assertThat(addresses.resolve(from("10.0.0.1", "10.9.9.9, 10.0.0.2"))).isEqualTo("10.9.9.9");
    }

    @Test
    void anEntryThatIsNoIpLiteralIsNeverResolvedAndTheProxyThatPassedItOnCounts_S27() {
        ClientAddresses addresses = trusting("10.0.0.0/8");
        assertThat(addresses.resolve(from("10.0.0.1", "203.0.113.5, localhost"))).isEqualTo("10.0.0.1");
        assertThat(addresses.resolve(from("10.0.0.1", "203.0.113.5, example.com, 10.0.0.2"))).isEqualTo("10.0.0.2");
        assertThat(addresses.resolve(from("10.0.0.1", "999.1.1.1"))).isEqualTo("10.0.0.1");
    }

    @Test
    void aTrustedProxyThatIsNoAddressOrRangeFailsStartupNamingTheProperty() {
        assertThatThrownBy(() -> trusting("proxy.internal"))
                .hasMessageContaining("otpgate.rate-limit.trusted-proxies").hasMessageContaining("proxy.internal");
        assertThatThrownBy(() -> trusting("10.0.0.0/99")).hasMessageContaining("otpgate.rate-limit.trusted-proxies");
    }
}
