package dev.otpgate.delivery.smpp;

import dev.otpgate.delivery.provider.DeliveryReceipt;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.util.InvalidDeliveryReceiptException;

/** SMSC delivery receipts ({@code deliver_sm}) read as {@link DeliveryReceipt}s. */
final class SmppReceipts {

    private static final Pattern RECEIPT_ID = Pattern.compile("(?i)\\bid:(\\S+)");
    private static final Pattern RECEIPT_STAT = Pattern.compile("(?i)\\bstat:(\\w+)");
    private static final Pattern RECEIPT_ERR = Pattern.compile("(?i)\\berr:(\\w+)");

    private SmppReceipts() {}

    /** Reads a delivery receipt, from its TLVs when present, else from its text; null when it names no message. */
    static DeliveryReceipt read(String providerId, DeliverSm deliverSm) {
        String messageId = null;
        String stat = null;
        String err = null;
        if (deliverSm.getOptionalParameter(OptionalParameter.Tag.RECEIPTED_MESSAGE_ID)
                instanceof OptionalParameter.COctetString receipted) {
            messageId = receipted.getValueAsString();
        }
        if (deliverSm.getOptionalParameter(OptionalParameter.Tag.MESSAGE_STATE)
                instanceof OptionalParameter.Message_state state) {
            stat = stat(state.getMessageState());
        }
        byte[] text = deliverSm.getShortMessage();
        if (text != null && text.length > 0) {
            String id = null;
            String textStat = null;
            try {
                org.jsmpp.bean.DeliveryReceipt parsed = deliverSm.getShortMessageAsDeliveryReceipt();
                id = parsed.getId();
                textStat = parsed.getFinalStatus() == null ? null : parsed.getFinalStatus().name();
                err = parsed.getError();
            } catch (InvalidDeliveryReceiptException | RuntimeException e) {
                String ascii = new String(text, StandardCharsets.ISO_8859_1);
                id = group(RECEIPT_ID, ascii);
                textStat = group(RECEIPT_STAT, ascii);
                err = group(RECEIPT_ERR, ascii);
            }
            messageId = messageId != null ? messageId : id;
            stat = stat != null ? stat : textStat;
        }
        if (messageId == null || stat == null) {
            return null;
        }
        stat = stat.toUpperCase(Locale.ROOT);
        DeliveryReceipt.Status status = switch (stat) {
            case "DELIVRD" -> DeliveryReceipt.Status.DELIVERED;
            case "ENROUTE", "ACCEPTD", "SCHEDLD" -> DeliveryReceipt.Status.SENT;
            default -> DeliveryReceipt.Status.UNDELIVERED;
        };
        String reason = status != DeliveryReceipt.Status.UNDELIVERED ? null
                : err != null && !err.isBlank() && !err.chars().allMatch(c -> c == '0') ? stat + " err:" + err : stat;
        return new DeliveryReceipt(providerId, messageId, status, reason, Instant.now());
    }

    private static String group(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String stat(OptionalParameter.Message_state.Message_state_enum state) {
        if (state == null) {
            return null;
        }
        return switch (state) {
            case DELIVERED -> "DELIVRD";
            case ENROUTE -> "ENROUTE";
            case ACCEPTED -> "ACCEPTD";
            case SCHEDULED -> "SCHEDLD";
            case UNDELIVERABLE -> "UNDELIV";
            case REJECTED -> "REJECTD";
            case EXPIRED -> "EXPIRED";
            case DELETED -> "DELETED";
            case SKIPPED -> "SKIPPED";
            case UNKNOWN -> "UNKNOWN";
        };
    }
}
