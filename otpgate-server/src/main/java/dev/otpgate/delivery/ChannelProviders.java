package dev.otpgate.delivery;

import java.util.List;

/**
 * A source of providers built from configuration ({@code otpgate.providers.<id>.type = twilio}, …): each
 * adapter sub-package contributes one bean of this type holding the providers of its type.
 */
public interface ChannelProviders {

    List<Channel> providers();
}
