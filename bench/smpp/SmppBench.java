package dev.otpgate.delivery.smpp;

import dev.otpgate.delivery.provider.OutboundMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submits per second through one {@link SmppProvider} bind against the jSMPP test SMSC on loopback, and the
 * send latency (submit_sm out to submit_sm_resp in) at a fixed fraction of that rate. Compiled and run by
 * bench/smpp.sh on the server's test class path (same package, so the provider is used as the server does).
 *
 * Usage: SmppBench WINDOW SENDERS SECONDS RUNS
 */
public final class SmppBench {

    public static void main(String[] args) throws Exception {
        int window = Integer.parseInt(args[0]);
        int senders = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int runs = Integer.parseInt(args[3]);
        try (TestSmsc smsc = new TestSmsc()) {
            SmppProperties properties = new SmppProperties("smpp", "127.0.0.1", smsc.port(), smsc.systemId,
                    smsc.password, "", "OTPGATE", window, 1_000_000, Duration.ofSeconds(30), Duration.ofMillis(100),
                    Duration.ofSeconds(1), Duration.ofSeconds(5), 10, List.of("sms"), false, null, false);
            SmppProvider channel = new SmppProvider("bench", properties, receipt -> { });
            channel.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!channel.bound()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no bind");
                }
                Thread.sleep(20);
            }
            OutboundMessage message = new OutboundMessage("app_bench", "sms", "+14155550123", null, null,
                    "Your code is 123456", null, "123456", "en", "GSM-7", 1, "vrf_bench/1");
            // Warm-up: let the JIT settle before measuring.
            saturate(channel, message, senders, 5);
            double[] rates = new double[runs];
            for (int run = 0; run < runs; run++) {
                rates[run] = saturate(channel, message, senders, seconds);
                System.out.printf("run %d: %.0f submits/s (window %d, %d senders)%n", run + 1, rates[run], window,
                        senders);
            }
            double median = median(rates);
            System.out.printf("SATURATION median %.0f submits/s%n", median);
            // Latency of one send at half that rate, paced open-loop from a scheduler.
            double rate = median / 2;
            long[] latencies = paced(channel, message, rate, seconds, senders);
            Arrays.sort(latencies);
            System.out.printf("LATENCY at %.0f/s: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n", rate,
                    latencies.length, pct(latencies, 0.50) / 1e6, pct(latencies, 0.99) / 1e6,
                    latencies[latencies.length - 1] / 1e6);
            channel.close();
        }
    }

    static double saturate(SmppProvider channel, OutboundMessage message, int senders, int seconds)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        Future<?>[] futures = new Future<?>[senders];
        for (int i = 0; i < senders; i++) {
            futures[i] = pool.submit(() -> {
                while (System.nanoTime() < end) {
                    channel.send(message);
                    done.incrementAndGet();
                }
                return null;
            });
        }
        for (Future<?> future : futures) {
            future.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return done.get() / elapsed;
    }

    static long[] paced(SmppProvider channel, OutboundMessage message, double rate, int seconds, int senders)
            throws Exception {
        int total = (int) (rate * seconds);
        long[] latencies = new long[total];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(senders, 16));
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        Future<?>[] futures = new Future<?>[total];
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int index = i;
            futures[i] = pool.submit(() -> {
                channel.send(message);
                latencies[index] = System.nanoTime() - due; // from when it was due: includes queueing
                return null;
            });
        }
        for (Future<?> future : futures) {
            future.get();
        }
        pool.shutdown();
        return latencies;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
