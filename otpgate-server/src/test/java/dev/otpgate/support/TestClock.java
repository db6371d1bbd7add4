package dev.otpgate.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** The system clock plus an offset that tests move forward. */
public class TestClock extends Clock {

    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);
    private final AtomicReference<Instant> fixed = new AtomicReference<>();

    /** Stops the clock at {@code instant} until {@link #reset()}; {@link #advance} then moves it. */
    public void fixAt(Instant instant) {
        fixed.set(instant);
        offset.set(Duration.ZERO);
    }

    public void advance(Duration duration) {
        offset.updateAndGet(current -> current.plus(duration));
    }

    public void reset() {
        offset.set(Duration.ZERO);
        fixed.set(null);
    }

    @Override
    public Instant instant() {
        Instant base = fixed.get();
        return (base == null ? Instant.now() : base).plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
