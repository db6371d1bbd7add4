package dev.otpgate.bench;

import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Where the time of one HMAC-SHA1 over an 8-byte counter goes, by how the {@code Mac} is obtained: a new one from
 * {@code Mac.getInstance} (provider lookup, then provider selection inside {@code init}), a clone of a prototype
 * whose provider is already chosen (what {@code OneTimePasswords} and java-otp 0.4 do), or one cached per thread.
 *
 * <p>The per-thread cache wins here because JMH reuses its threads; the server runs each request on a new virtual
 * thread, where such a cache is empty every time and the cost is that of {@code getInstance}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class MacAcquisitionBenchmark {

    private static final String HMAC_SHA1 = "HmacSHA1";
    private static final ThreadLocal<Mac> PER_THREAD = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(HMAC_SHA1);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    private final byte[] seed = new byte[20];
    private final byte[] counter = new byte[8];
    private Mac prototype;

    @Setup
    public void setUp() throws Exception {
        prototype = Mac.getInstance(HMAC_SHA1);
        prototype.clone(); // chooses the provider
    }

    @Benchmark
    public Mac getInstanceAlone() throws GeneralSecurityException {
        return Mac.getInstance(HMAC_SHA1);
    }

    @Benchmark
    public Object cloneAlone() throws CloneNotSupportedException {
        return prototype.clone();
    }

    @Benchmark
    public byte[] hmacWithGetInstance() throws GeneralSecurityException {
        return hmac(Mac.getInstance(HMAC_SHA1));
    }

    @Benchmark
    public byte[] hmacWithClone() throws GeneralSecurityException, CloneNotSupportedException {
        return hmac((Mac) prototype.clone());
    }

    @Benchmark
    public byte[] hmacWithPerThreadMac() throws GeneralSecurityException {
        return hmac(PER_THREAD.get());
    }

    private byte[] hmac(Mac mac) throws GeneralSecurityException {
        mac.init(new SecretKeySpec(seed, HMAC_SHA1));
        return mac.doFinal(counter);
    }
}
