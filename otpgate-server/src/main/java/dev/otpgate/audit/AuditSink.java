package dev.otpgate.audit;

import java.io.IOException;
import java.util.List;

/**
 * A destination of the trail besides the database: it receives each row and checkpoint once, in order, as
 * {@link AuditLines}. A delivery that throws is retried from the sink's last delivered position; the database chain
 * never depends on a sink. Delivery is at least once: a line may repeat after a failure, with its sequence or
 * checkpoint id to tell.
 */
interface AuditSink {

    /** A stable name, the key of the sink's delivered position. */
    String name();

    /** Delivers the lines, in order; returns only when all of them were handed over. */
    void deliver(List<Line> lines) throws IOException;

    /** A line with the time it stands for: a row's time, or a checkpoint's. */
    record Line(String json, java.time.Instant time, boolean checkpoint) {}
}
