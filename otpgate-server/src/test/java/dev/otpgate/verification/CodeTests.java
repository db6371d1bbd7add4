package dev.otpgate.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.otpgate.platform.KeyRing;
import dev.otpgate.platform.OtpgateProperties;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeTests {

    @TempDir
    Path dataDir;

    @Test
    void generateWhenManyCodesAreDrawnThenDigitsAreUniform_S01_S02() {
        CodeGenerator generator = new CodeGenerator();
        int[] counts = new int[10];
        int draws = 20_000;
        for (int i = 0; i < draws; i++) {
            String code = generator.generate(6);
            assertThat(code).hasSize(6).containsOnlyDigits();
            code.chars().forEach(c -> counts[c - '0']++);
        }
        double expected = draws * 6 / 10.0;
        double chiSquare = 0;
        for (int count : counts) {
            chiSquare += (count - expected) * (count - expected) / expected;
        }
        // 9 degrees of freedom: 27.88 is the 0.999 quantile, so a fair generator fails this once in a thousand runs.
        assertThat(chiSquare).isLessThan(27.88);
        assertThat(generator.generate(10)).hasSize(10);
    }

    @Test
    void hashWhenAnyBoundValueChangesThenTheHashNoLongerMatches_S11_S13_S40() {
        OtpgateProperties properties = new OtpgateProperties(OtpgateProperties.Mode.EMBEDDED, dataDir,
                new OtpgateProperties.DevInbox(true, 1000, java.time.Duration.ofHours(1)), new OtpgateProperties.Limits(16384),
                new OtpgateProperties.Tls(false), null, null, null, null);
        CodeHasher hasher = new CodeHasher(new KeyRing(properties));
        byte[] stored = hasher.hash("vrf_a", 1, "123456", "{\"amount\":\"1\"}");
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("123456");
        assertThat(hasher.matches(stored, "vrf_a", 1, "123456", "{\"amount\":\"1\"}")).isTrue();
        assertThat(hasher.matches(stored, "vrf_b", 1, "123456", "{\"amount\":\"1\"}")).isFalse();
        assertThat(hasher.matches(stored, "vrf_a", 2, "123456", "{\"amount\":\"1\"}")).isFalse();
        assertThat(hasher.matches(stored, "vrf_a", 1, "123457", "{\"amount\":\"1\"}")).isFalse();
        assertThat(hasher.matches(stored, "vrf_a", 1, "123456", "{\"amount\":\"2\"}")).isFalse();
        assertThat(hasher.matches(stored, "vrf_a", 1, "123456", null)).isFalse();
        // Length prefixes keep field boundaries: moving a digit from the id into the step is another input.
        assertThat(hasher.hash("vrf_1", 23, "456", null)).isNotEqualTo(hasher.hash("vrf_12", 3, "456", null));
    }
}
