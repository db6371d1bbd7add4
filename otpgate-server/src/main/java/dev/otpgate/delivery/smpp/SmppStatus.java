package dev.otpgate.delivery.smpp;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.extra.NegativeResponseException;

/** SMPP 3.4 command statuses as their names ({@code ESME_RTHROTTLED}), and what a failure may say of itself. */
final class SmppStatus {

    static final String CONNECTION_FAILED = "connection failed";

    private static final Map<Integer, String> NAMES = names();
    /** Statuses about the SMSC's state rather than the message: another try may pass. */
    private static final Set<String> TEMPORARY = Set.of("ESME_RTHROTTLED", "ESME_RMSGQFUL", "ESME_RSYSERR",
            "ESME_RINVBNDSTS", "ESME_RSUBMITFAIL", "ESME_RX_T_APPN");

    private SmppStatus() {}

    static String name(int status) {
        return NAMES.getOrDefault(status, "SMPP_UNKNOWN_STATUS");
    }

    /** Whether a submit refused with this status may pass when tried again. */
    static boolean temporary(String name) {
        return TEMPORARY.contains(name);
    }

    /**
     * What a step reason may say about a failed bind: the SMSC's command status ({@code ESME_RBINDFAIL}), a failed
     * TLS handshake, or that the connection failed; the exception's class name is logged, never shown to a client
     * (S-47).
     */
    static String bindFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NegativeResponseException negative) {
                return name(negative.getCommandStatus());
            }
            if (t instanceof SSLException) {
                return "TLS handshake failed";
            }
        }
        return CONNECTION_FAILED;
    }

    private static Map<Integer, String> names() {
        Map<Integer, String> names = new HashMap<>();
        for (Field field : SMPPConstant.class.getFields()) {
            if (field.getName().startsWith("STAT_") && field.getType() == int.class
                    && Modifier.isStatic(field.getModifiers())) {
                try {
                    names.putIfAbsent(field.getInt(null), field.getName().substring("STAT_".length()));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Map.copyOf(names);
    }
}
