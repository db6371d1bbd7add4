package dev.otpgate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.GeneralSecurityException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Tink's calls from virtual threads run on the key ring's few platform threads, where Tink's per-thread ciphers
 * and random sources are made once; a platform thread calls directly; results and failures come back as if
 * the caller had made the call itself.
 */
class CryptoThreadsTests {

    @Test
    void runWhenTheCallerIsVirtualThenTheCallRunsOnAKeyRingPlatformThread() throws Exception {
        Thread[] ranOn = new Thread[1];
        Thread caller = Thread.ofVirtual().unstarted(() -> {
            try {
                CryptoThreads.run(() -> ranOn[0] = Thread.currentThread());
            } catch (GeneralSecurityException e) {
                throw new AssertionError(e);
            }
        });
        caller.start();
        caller.join();

        assertThat(ranOn[0]).isNotSameAs(caller);
        assertThat(ranOn[0].isVirtual()).isFalse();
        assertThat(ranOn[0].getName()).startsWith("keyring-");
    }

    @Test
    void runWhenTheCallerIsAPlatformThreadThenTheCallRunsOnIt() throws Exception {
        assertThat(CryptoThreads.run(Thread::currentThread)).isSameAs(Thread.currentThread());
    }

    @Test
    void runWhenTheCallFailsThenTheCallerGetsItsOwnException() throws Exception {
        GeneralSecurityException refused = new GeneralSecurityException("refused");
        IllegalArgumentException bug = new IllegalArgumentException("bug");
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Throwable> security = virtual.submit(() -> failure(() -> CryptoThreads.run(() -> {
                throw refused;
            })));
            Future<Throwable> runtime = virtual.submit(() -> failure(() -> CryptoThreads.run(() -> {
                throw bug;
            })));
            assertThat(security.get()).isSameAs(refused);
            assertThat(runtime.get()).isSameAs(bug);
        }
    }

    private static Throwable failure(Callable<?> call) {
        try {
            call.call();
            return null;
        } catch (Throwable e) {
            return e;
        }
    }
}
