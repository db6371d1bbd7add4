package dev.otpgate.bench;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.otpgate.totp.OneTimePasswords;
import dev.otpgate.totp.OtpAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Computing and checking a TOTP code (SHA1, 6 digits, 30 s): otpgate's {@link OneTimePasswords} against
 * java-otp's {@link TimeBasedOneTimePasswordGenerator}, in the same run.
 *
 * <p>Both sides do what a verification does per request: a key's bytes in, a code out. otpgate takes the raw seed
 * and builds its {@code Mac} (and key spec) inside the call; java-otp takes a {@code Key} and, since 0.4.0, clones
 * a prototype {@code Mac} per call, so one generator is safe to share between threads and is shared here. The
 * {@code SecretKeySpec} java-otp needs is built once in setup, which favours java-otp slightly.
 *
 * <p>"check" is what a verifier does with a submitted code: compute the expected code and compare it with
 * {@link MessageDigest#isEqual} (constant time). The submitted code is the right one, so the comparison runs to the
 * end.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class TotpBenchmark {

    private static final Duration PERIOD = Duration.ofSeconds(30);
    private static final int DIGITS = 6;

    private byte[] seed;
    private SecretKeySpec key;
    private Instant time;
    private byte[] submitted;
    private TimeBasedOneTimePasswordGenerator javaOtp;

    @Setup(Level.Trial)
    public void setUp() throws InvalidKeyException {
        seed = new byte[OtpAlgorithm.SHA1.seedBytes()];
        new SecureRandom().nextBytes(seed);
        key = new SecretKeySpec(seed, "HmacSHA1");
        time = Instant.ofEpochSecond(1_111_111_109);
        javaOtp = new TimeBasedOneTimePasswordGenerator(PERIOD, DIGITS, "HmacSHA1");

        String ours = OneTimePasswords.totp(seed, time, PERIOD, DIGITS, OtpAlgorithm.SHA1);
        String theirs = javaOtp.generateOneTimePasswordString(key, time, Locale.ROOT);
        if (!ours.equals(theirs)) {
            throw new IllegalStateException("implementations disagree: " + ours + " vs " + theirs);
        }
        submitted = ours.getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public String otpgateGenerate() {
        return OneTimePasswords.totp(seed, time, PERIOD, DIGITS, OtpAlgorithm.SHA1);
    }

    @Benchmark
    public String javaOtpGenerate() throws InvalidKeyException {
        return javaOtp.generateOneTimePasswordString(key, time, Locale.ROOT);
    }

    /** java-otp's int result, without its String.format zero-padding: the floor for its generation cost. */
    @Benchmark
    public int javaOtpGenerateInt() throws InvalidKeyException {
        return javaOtp.generateOneTimePassword(key, time);
    }

    @Benchmark
    public boolean otpgateCheck() {
        String expected = OneTimePasswords.totp(seed, time, PERIOD, DIGITS, OtpAlgorithm.SHA1);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), submitted);
    }

    @Benchmark
    public boolean javaOtpCheck() throws InvalidKeyException {
        String expected = javaOtp.generateOneTimePasswordString(key, time, Locale.ROOT);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), submitted);
    }
}
