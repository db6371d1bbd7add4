package dev.otpgate.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.otpgate.support.Concurrently;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Known answers from the RFCs (S-17, values as listed in SECURITY.md, "Reference vectors and formats"). */
class OneTimePasswordsTests {

    /** RFC 4226 appendix D and RFC 6238 appendix B: the 20-byte ASCII secret. */
    private static final byte[] SEED_SHA1 = ascii("12345678901234567890");
    /** RFC 6238 appendix B, SHA256 rows: the reference implementation's 32-byte seed. */
    private static final byte[] SEED_SHA256 = ascii("12345678901234567890123456789012");
    /** RFC 6238 appendix B, SHA512 rows: the reference implementation's 64-byte seed. */
    private static final byte[] SEED_SHA512 =
            ascii("1234567890123456789012345678901234567890123456789012345678901234");

    private static final Duration THIRTY_SECONDS = Duration.ofSeconds(30);

    /** RFC 4226 appendix D, "HOTP Algorithm: Test Values": SHA1, 6 digits, counters 0 to 9. */
    @ParameterizedTest(name = "RFC 4226 appendix D: counter {0} -> {1}")
    @CsvSource(textBlock = """
            0, 755224
            1, 287082
            2, 359152
            3, 969429
            4, 338314
            5, 254676
            6, 287922
            7, 162583
            8, 399871
            9, 520489
            """)
    void hotpWhenRfc4226AppendixDVectorsThenMatches_S17(long counter, String expected) {
        assertThat(OneTimePasswords.hotp(SEED_SHA1, counter, 6, OtpAlgorithm.SHA1)).isEqualTo(expected);
    }

    /**
     * RFC 6238 appendix B, "Test Vectors": T0 = 0, 30 s steps, 8 digits, all 18 rows. The expected values are
     * quoted strings so leading zeros (07081804) stay part of the code rather than being parsed away.
     */
    @ParameterizedTest(name = "RFC 6238 appendix B: {1} at {0} -> {2}")
    @CsvSource(textBlock = """
            59,          SHA1,   '94287082'
            59,          SHA256, '46119246'
            59,          SHA512, '90693936'
            1111111109,  SHA1,   '07081804'
            1111111109,  SHA256, '68084774'
            1111111109,  SHA512, '25091201'
            1111111111,  SHA1,   '14050471'
            1111111111,  SHA256, '67062674'
            1111111111,  SHA512, '99943326'
            1234567890,  SHA1,   '89005924'
            1234567890,  SHA256, '91819424'
            1234567890,  SHA512, '93441116'
            2000000000,  SHA1,   '69279037'
            2000000000,  SHA256, '90698825'
            2000000000,  SHA512, '38618901'
            20000000000, SHA1,   '65353130'
            20000000000, SHA256, '77737706'
            20000000000, SHA512, '47863826'
            """)
    void totpWhenRfc6238AppendixBVectorsThenMatches_S17(long unixTime, OtpAlgorithm algorithm, String expected) {
        assertThat(seed(algorithm)).hasSize(algorithm.seedBytes());
        String code = OneTimePasswords.totp(seed(algorithm), Instant.ofEpochSecond(unixTime), THIRTY_SECONDS, 8,
                algorithm);
        assertThat(code).hasSize(8).containsOnlyDigits().isEqualTo(expected);
    }

    /** RFC 6238 appendix B's first row: 59 s is still step 1 (floor(59 / 30)); 60 s begins step 2. */
    @Test
    void timeStepWhenFiftyNineSecondsAtThirtySecondPeriodThenStepOne_S17() {
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(0), THIRTY_SECONDS)).isZero();
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(29), THIRTY_SECONDS)).isZero();
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(30), THIRTY_SECONDS)).isEqualTo(1);
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(59), THIRTY_SECONDS)).isEqualTo(1);
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(59, 999_999_999), THIRTY_SECONDS)).isEqualTo(1);
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(60), THIRTY_SECONDS)).isEqualTo(2);
        // The time step of the 20000000000 row no longer fits in 32 bits' worth of seconds but is well inside a long.
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(20_000_000_000L), THIRTY_SECONDS))
                .isEqualTo(666_666_666L);
    }

    /** RFC 6238 section 4.1 lets the period vary (X); with 60 s, 59 s is step 0, 60 s and 119 s step 1. */
    @Test
    void timeStepWhenSixtySecondPeriodThenStepsAreAMinuteLong_S17() {
        Duration minute = Duration.ofSeconds(60);
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(59), minute)).isZero();
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(60), minute)).isEqualTo(1);
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(119), minute)).isEqualTo(1);
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(120), minute)).isEqualTo(2);
        assertThat(OneTimePasswords.timeStep(Instant.ofEpochSecond(1_111_111_109), minute))
                .isEqualTo(18_518_518L);
    }

    /** TOTP is HOTP of the time step (RFC 6238 section 4.2), so the 60 s code at t equals the HOTP of t / 60. */
    @Test
    void totpWhenSixtySecondPeriodThenHotpOfTheMinute_S17() {
        Duration minute = Duration.ofSeconds(60);
        for (OtpAlgorithm algorithm : OtpAlgorithm.values()) {
            byte[] seed = seed(algorithm);
            assertThat(OneTimePasswords.totp(seed, Instant.ofEpochSecond(1_111_111_109), minute, 8, algorithm))
                    .isEqualTo(OneTimePasswords.hotp(seed, 18_518_518L, 8, algorithm));
            // Both 30 s steps of one minute share the minute's code.
            assertThat(OneTimePasswords.totp(seed, Instant.ofEpochSecond(60), minute, 6, algorithm))
                    .isEqualTo(OneTimePasswords.totp(seed, Instant.ofEpochSecond(119), minute, 6, algorithm));
        }
        // 59 s at 60 s steps is step 0: RFC 4226 appendix D's counter 0 value.
        assertThat(OneTimePasswords.totp(SEED_SHA1, Instant.ofEpochSecond(59), minute, 6, OtpAlgorithm.SHA1))
                .isEqualTo("755224");
    }

    /**
     * RFC 4226 section 5.3 truncates to the low digits of the same 31-bit value, so the 6- and 7-digit codes are
     * suffixes of the 8-digit one, zero-padded like it.
     */
    @Test
    void hotpWhenFewerDigitsThenTheLowDigitsOfTheSameValue_S17() {
        Instant time = Instant.ofEpochSecond(1_111_111_109);
        String eight = OneTimePasswords.totp(SEED_SHA1, time, THIRTY_SECONDS, 8, OtpAlgorithm.SHA1);
        assertThat(eight).isEqualTo("07081804");
        assertThat(OneTimePasswords.totp(SEED_SHA1, time, THIRTY_SECONDS, 7, OtpAlgorithm.SHA1)).isEqualTo("7081804");
        assertThat(OneTimePasswords.totp(SEED_SHA1, time, THIRTY_SECONDS, 6, OtpAlgorithm.SHA1)).isEqualTo("081804");
    }

    /** RFC 4226 section 5.3 (R4) asks for at least 6 digits; the 31-bit value carries at most 8 useful ones. */
    @ParameterizedTest(name = "{0} digits refused")
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 1, 5, 9, 10, Integer.MAX_VALUE})
    void hotpWhenDigitsOutsideSixToEightThenRefused_S17(int digits) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OneTimePasswords.hotp(SEED_SHA1, 0, digits, OtpAlgorithm.SHA1))
                .withMessageContaining("digits");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OneTimePasswords.totp(SEED_SHA1, Instant.ofEpochSecond(59), THIRTY_SECONDS, digits,
                        OtpAlgorithm.SHA1))
                .withMessageContaining("digits");
    }

    /**
     * The MACs behind the codes are cloned from shared prototypes: threads computing codes at once, each with its
     * own seeds, must get exactly what one thread alone gets.
     */
    @Test
    void totpWhenManyThreadsComputeAtOnceThenEachGetsTheSingleThreadedCodes_S17() throws Exception {
        int threads = 8;
        int codesPerThread = 300;
        Instant start = Instant.ofEpochSecond(1_234_567_890);
        List<List<String>> concurrent = Concurrently.run(threads, thread -> codes(thread, codesPerThread, start));
        for (int thread = 0; thread < threads; thread++) {
            assertThat(concurrent.get(thread)).as("thread %d", thread)
                    .isEqualTo(codes(thread, codesPerThread, start));
        }
    }

    /** Codes for all three algorithms over consecutive steps, with seeds that differ per thread and per code. */
    private static List<String> codes(int thread, int count, Instant start) {
        List<String> codes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            OtpAlgorithm algorithm = OtpAlgorithm.values()[i % 3];
            byte[] seed = seed(algorithm).clone();
            seed[0] = (byte) thread;
            seed[1] = (byte) i;
            codes.add(OneTimePasswords.totp(seed, start.plusSeconds(30L * i), THIRTY_SECONDS, 8, algorithm));
        }
        return codes;
    }

    private static byte[] seed(OtpAlgorithm algorithm) {
        return switch (algorithm) {
            case SHA1 -> SEED_SHA1;
            case SHA256 -> SEED_SHA256;
            case SHA512 -> SEED_SHA512;
        };
    }

    private static byte[] ascii(String value) {
        return value.getBytes(StandardCharsets.US_ASCII);
    }
}
