package dev.otpgate.platform;

import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the Tink calls of a virtual thread on one of a few long-lived platform threads. Tink keeps its
 * {@code Cipher}, {@code Mac} and {@code SecureRandom} in {@code ThreadLocal}s, and every request runs on a new
 * virtual thread, so without this each request created them all again; each new {@code SecureRandom} also looked
 * Conscrypt up by reflection, a class-loader miss that searched the boot jar's nested jars every time
 * (bench/README.md). On these threads Tink's per-thread objects are made once and reused. A platform thread
 * (the delivery worker's, a test's) calls directly: its own thread-locals already last.
 */
final class CryptoThreads {

    /** One Tink call; the exceptions it declares are the ones the caller handles. */
    @FunctionalInterface
    interface Call<T> {
        T call() throws GeneralSecurityException;
    }

    private static final ExecutorService THREADS = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            Thread.ofPlatform().daemon().name("keyring-", 0).factory());

    private CryptoThreads() {}

    /** {@code call}'s result, computed on a crypto thread when the caller is virtual; its exceptions pass through. */
    static <T> T run(Call<T> call) throws GeneralSecurityException {
        if (!Thread.currentThread().isVirtual()) {
            return call.call();
        }
        Future<T> result = THREADS.submit(call::call);
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof GeneralSecurityException security) {
                throw security;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("cryptographic call failed", cause);
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a cryptographic call");
        }
    }
}
