package dev.otpgate.totp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interoperability with an independent implementation (S-17): OATH Toolkit's {@code oathtool}, which authenticator
 * apps agree with, on random seeds, algorithms, lengths, periods and times.
 *
 * <p>Cases are random on every run, drawn from a generator seeded by {@link SecureRandom}; the seed is printed and
 * {@code -Dotpgate.interop.seed=<n>} replays a run exactly. Each seed goes to oathtool on stdin, never on its
 * command line.
 *
 * <p>Without {@code oathtool} on the PATH (Debian: {@code apt-get install oathtool}) the tests are skipped with a
 * banner on stderr; on CI ({@code CI=true}) a missing tool fails instead, so the check cannot quietly vanish there.
 */
class OathtoolInteropTests {

    private static final String OATHTOOL = "oathtool";
    private static final int TOTP_CASES = 200;
    private static final int HOTP_CASES = 50;
    /** Extra TOTP steps oathtool prints after the first ({@code --window}): 3 codes per process. */
    private static final int TOTP_WINDOW = 2;
    /** Extra HOTP counters oathtool prints after the first ({@code --window}): 10 codes per process. */
    private static final int HOTP_WINDOW = 9;
    /** Upper bound for random times: year 3000, well past 2^31 (2038) and 2^32 (2106) seconds. */
    private static final long YEAR_3000 = 32_503_680_000L;
    /** Times every run tries first: step boundaries and the 32-bit limits. */
    private static final long[] EDGE_TIMES = {0, 29, 30, 59, 60, 1_111_111_109, 2_147_483_647L, 2_147_483_648L,
            4_294_967_296L, YEAR_3000};
    private static final HexFormat HEX = HexFormat.of();

    private static final long RUN_SEED = Long.getLong("otpgate.interop.seed", new SecureRandom().nextLong());

    @BeforeAll
    static void requireOathtool() {
        System.out.println("OathtoolInteropTests: replay with -Dotpgate.interop.seed=" + RUN_SEED);
        if (Oathtool.available()) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but '" + OATHTOOL + "' is not installed: the S-17 interop check must "
                    + "run on CI (apt-get install -y oathtool)");
        }
        System.err.println("""

                ************************************************************************
                *  SKIPPED: OathtoolInteropTests (S-17 interop with oathtool)          *
                *  'oathtool' is not on the PATH. Install it to run this check:        *
                *      apt-get install -y oathtool      (Debian/Ubuntu)                *
                *  On CI (CI=true) a missing oathtool fails the build instead.         *
                ************************************************************************
                """);
    }

    /** Per test rather than in {@code @BeforeAll}: Surefire counts skipped tests, not an aborted class. */
    @BeforeEach
    void skipWithoutOathtool() {
        Assumptions.assumeTrue(Oathtool.available(), "oathtool is not installed (apt-get install -y oathtool)");
    }

    /** One call yields the codes of {@link #TOTP_WINDOW} + 1 consecutive time steps, starting at the case's time. */
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("totpCases")
    void totpWhenRandomSeedAlgorithmDigitsPeriodAndTimeThenMatchesOathtool_S17(TotpCase c) {
        List<String> expected = Oathtool.runLines(c.seed(),
                "--totp=" + c.algorithm().name(),
                "--digits=" + c.digits(),
                "--time-step-size=" + c.periodSeconds() + "s",
                "--now=@" + c.unixTime(),
                "--window=" + TOTP_WINDOW);

        List<String> actual = new ArrayList<>();
        for (int i = 0; i <= TOTP_WINDOW; i++) {
            Instant time = Instant.ofEpochSecond(c.unixTime() + (long) i * c.periodSeconds());
            actual.add(OneTimePasswords.totp(c.seed(), time, Duration.ofSeconds(c.periodSeconds()), c.digits(),
                    c.algorithm()));
        }

        assertThat(actual).as("%s (run seed %d)", c, RUN_SEED).containsExactlyElementsOf(expected);
    }

    /** oathtool's HOTP is HMAC-SHA1; one call yields {@link #HOTP_WINDOW} + 1 consecutive counters. */
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("hotpCases")
    void hotpWhenRandomSeedCounterAndDigitsThenMatchesOathtoolOverAWindow_S17(HotpCase c) {
        List<String> expected = Oathtool.runLines(c.seed(),
                "--hotp",
                "--counter=" + c.counter(),
                "--digits=" + c.digits(),
                "--window=" + HOTP_WINDOW);

        List<String> actual = new ArrayList<>();
        for (int i = 0; i <= HOTP_WINDOW; i++) {
            actual.add(OneTimePasswords.hotp(c.seed(), c.counter() + i, c.digits(), OtpAlgorithm.SHA1));
        }

        assertThat(actual).as("%s (run seed %d)", c, RUN_SEED).containsExactlyElementsOf(expected);
    }

    static Stream<TotpCase> totpCases() {
        SplittableRandom random = new SplittableRandom(RUN_SEED);
        OtpAlgorithm[] algorithms = OtpAlgorithm.values();
        return IntStream.range(0, TOTP_CASES).mapToObj(i -> {
            OtpAlgorithm algorithm = algorithms[random.nextInt(algorithms.length)];
            long time = i < EDGE_TIMES.length ? EDGE_TIMES[i] : random.nextLong(YEAR_3000 + 1);
            return new TotpCase(algorithm, seed(random, algorithm.seedBytes()), 6 + random.nextInt(3),
                    random.nextBoolean() ? 30 : 60, time);
        });
    }

    static Stream<HotpCase> hotpCases() {
        // Another stream from the same run seed, so HOTP cases do not depend on how many TOTP cases came first.
        SplittableRandom random = new SplittableRandom(RUN_SEED).split();
        return IntStream.range(0, HOTP_CASES).mapToObj(i -> {
            // Half small counters (event counts seen in practice), half anywhere up to the top of the signed range.
            long counter = i % 2 == 0 ? random.nextLong(1_000) : random.nextLong(Long.MAX_VALUE - HOTP_WINDOW);
            return new HotpCase(seed(random, OtpAlgorithm.SHA1.seedBytes()), counter, 6 + random.nextInt(3));
        });
    }

    private static byte[] seed(SplittableRandom random, int length) {
        byte[] seed = new byte[length];
        random.nextBytes(seed);
        return seed;
    }

    record TotpCase(OtpAlgorithm algorithm, byte[] seed, int digits, int periodSeconds, long unixTime) {
        @Override
        public String toString() {
            return "TOTP %s digits=%d period=%ds time=@%d seed=%s".formatted(algorithm, digits, periodSeconds,
                    unixTime, HEX.formatHex(seed));
        }
    }

    record HotpCase(byte[] seed, long counter, int digits) {
        @Override
        public String toString() {
            return "HOTP SHA1 digits=%d counter=%d seed=%s".formatted(digits, counter, HEX.formatHex(seed));
        }
    }

    /** Runs oathtool with the seed, hex-encoded, on stdin ({@code -} as the KEY argument). */
    private static final class Oathtool {

        private static Boolean available;

        static synchronized boolean available() {
            if (available == null) {
                available = probe();
            }
            return available;
        }

        private static boolean probe() {
            try {
                Process process = new ProcessBuilder(OATHTOOL, "--version").redirectErrorStream(true).start();
                process.getInputStream().readAllBytes();
                return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        static List<String> runLines(byte[] seed, String... options) {
            List<String> command = new ArrayList<>();
            command.add(OATHTOOL);
            command.addAll(List.of(options));
            command.add("-");
            try {
                Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write((HEX.formatHex(seed) + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                // Outputs are a few lines, far below the pipe buffer, so reading one stream after the other is safe.
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("oathtool timed out: " + command);
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError("oathtool exited " + process.exitValue() + " for " + command + ": " + err);
                }
                return out.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
            } catch (IOException e) {
                throw new AssertionError("cannot run oathtool: " + command, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted running oathtool", e);
            }
        }
    }
}
