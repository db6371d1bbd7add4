package dev.otpgate.events;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves a webhook's host name, once per registration and once per attempt; the addresses it answers are
 * checked and then connected to directly, so nothing resolves the name a second time. The default asks the
 * system resolver; tests replace it to make a name answer what they need.
 */
public interface HostResolver {

    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The system resolver ({@link InetAddress#getAllByName}). */
    static HostResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
