package dev.otpgate.platform;

import java.util.ArrayList;
import java.util.List;

/**
 * A copy of a failure for the log that keeps each exception's class and stack frames and drops its message,
 * down the cause chain. Messages quote whatever the failing code held: Tomcat's and the firewall's quote the
 * request, a database's quote the row (S-45). The frames are what an operator needs to find the fault.
 */
final class FailureTrace extends RuntimeException {

    private FailureTrace(Throwable original, FailureTrace cause) {
        super(original.getClass().getName() + " (message withheld)", cause, false, true);
        setStackTrace(original.getStackTrace());
    }

    static FailureTrace of(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && chain.size() < 16 && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        FailureTrace trace = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            trace = new FailureTrace(chain.get(i), trace);
        }
        return trace;
    }
}
