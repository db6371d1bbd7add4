package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.Channel;
import dev.otpgate.delivery.DeliveryQueue;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** First of the send rules: the app allows the channel, and some provider (or the dev inbox) carries it. */
@Component
@Order(10)
class ChannelRule implements SendRule {

    private final DeliveryQueue delivery;

    ChannelRule(DeliveryQueue delivery) {
        this.delivery = delivery;
    }

    @Override
    public SendDecision evaluate(SendAttempt attempt) {
        Refusal refused = refusal(attempt.app(), attempt.channel());
        return refused == null ? SendDecision.allowed() : SendDecision.refused(refused);
    }

    /** Why {@code app} cannot use {@code channel} at all, or {@code null} when it can. */
    Refusal refusal(App app, Channel channel) {
        if (!app.allows(channel.value())) {
            return Refusal.notAllowed("channel-not-allowed", "Channel not allowed",
                    "this app does not allow the " + channel.value() + " channel")
                    .with("allowed_channels", app.allowedChannels());
        }
        if (!delivery.canDeliver(channel.value())) {
            return Refusal.undeliverable("channel-unavailable", "Channel unavailable",
                    "no provider is configured for the " + channel.value() + " channel");
        }
        return null;
    }
}
