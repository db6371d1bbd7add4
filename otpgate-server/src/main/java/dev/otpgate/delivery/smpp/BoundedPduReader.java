package dev.otpgate.delivery.smpp;

import java.io.DataInputStream;
import java.io.IOException;
import org.jsmpp.DefaultPDUReader;
import org.jsmpp.bean.Command;

/**
 * jSMPP's own reader allocates whatever {@code command_length} the SMSC announces, up to 2 GB. No SMPP 3.4 PDU is
 * longer than its largest TLV ({@code message_payload}, 64 KB) and its fixed fields, so a longer (or a negative)
 * length ends the connection, and the bind is made again, instead of filling memory.
 */
final class BoundedPduReader extends DefaultPDUReader {

    static final int MAX_PDU_OCTETS = 70_000;

    @Override
    public Command readPDUHeader(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 16 || length > MAX_PDU_OCTETS) {
            throw new IOException("SMPP PDU of " + length + " octets refused");
        }
        Command header = new Command();
        header.setCommandLength(length);
        header.setCommandId(in.readInt());
        header.setCommandStatus(in.readInt());
        header.setSequenceNumber(in.readInt());
        return header;
    }
}
