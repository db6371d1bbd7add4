package dev.otpgate.delivery.smpp;

import dev.otpgate.delivery.provider.DeliveryException;
import dev.otpgate.delivery.provider.OutboundMessage;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.DataCoding;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GeneralDataCoding;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.SubmitSmResult;
import org.smpp.charset.Gsm7BitCharsetProvider;

/**
 * One message as a {@code submit_sm}: a numeric sender as TON 1/NPI 1, any other as alphanumeric (TON 5/NPI 0); the
 * text in GSM 03.38 or UCS-2; one segment in {@code short_message}, longer texts whole in the
 * {@code message_payload} TLV for the SMSC to segment; a delivery receipt asked for on success and failure.
 */
record SmppSubmit(String source, boolean numericSource, String destination, DataCoding coding, byte[] shortMessage,
        OptionalParameter[] tlvs, String encoding) {

    /** GSM 03.38 default alphabet, one septet per octet (unpacked), extension characters behind escape 0x1B. */
    static final Charset GSM = new Gsm7BitCharsetProvider().charsetForName("X-Gsm7Bit");
    static final int GSM_SEGMENT_OCTETS = 160;
    static final int UCS2_SEGMENT_OCTETS = 140;
    private static final Pattern NUMBER = Pattern.compile("\\+?[0-9]{1,20}");

    /**
     * @param defaultSource the provider's {@code source-address}, for a message without {@code from}
     * @throws DeliveryException (permanent) when the destination is no number or there is no sender
     */
    static SmppSubmit of(OutboundMessage message, String defaultSource) throws DeliveryException {
        String to = message.to();
        if (to == null || !NUMBER.matcher(to).matches()) {
            throw new DeliveryException("SMPP destination is not a phone number", true, null);
        }
        String from = message.from() != null && !message.from().isBlank() ? message.from() : defaultSource;
        if (from == null || from.isBlank()) {
            throw new DeliveryException("SMPP source address not configured", true, null);
        }
        boolean unicode = message.unicode();
        byte[] octets = message.text().getBytes(unicode ? StandardCharsets.UTF_16BE : GSM);
        DataCoding coding = new GeneralDataCoding(unicode ? Alphabet.ALPHA_UCS2 : Alphabet.ALPHA_DEFAULT);
        boolean single = octets.length <= (unicode ? UCS2_SEGMENT_OCTETS : GSM_SEGMENT_OCTETS);
        boolean numeric = NUMBER.matcher(from).matches();
        return new SmppSubmit(numeric ? stripPlus(from) : from, numeric, stripPlus(to), coding,
                single ? octets : new byte[0],
                single ? new OptionalParameter[0] : new OptionalParameter[] {new OptionalParameter.Message_payload(octets)},
                unicode ? "UCS-2" : "GSM-7");
    }

    /** Sends this on {@code session} and waits for its {@code submit_sm_resp}. */
    SubmitSmResult sendOn(SMPPSession session) throws PDUException, ResponseTimeoutException,
            InvalidResponseException, NegativeResponseException, IOException {
        return session.submitShortMessage("",
                numericSource ? TypeOfNumber.INTERNATIONAL : TypeOfNumber.ALPHANUMERIC,
                numericSource ? NumberingPlanIndicator.ISDN : NumberingPlanIndicator.UNKNOWN, source,
                TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, destination,
                new ESMClass(), (byte) 0, (byte) 1, null, null,
                new RegisteredDelivery(SMSCDeliveryReceipt.SUCCESS_FAILURE), (byte) 0, coding, (byte) 0,
                shortMessage, tlvs);
    }

    private static String stripPlus(String number) {
        return number.startsWith("+") ? number.substring(1) : number;
    }
}
