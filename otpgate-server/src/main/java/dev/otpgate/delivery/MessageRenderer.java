package dev.otpgate.delivery;

import dev.otpgate.apps.App;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Renders the plain message: brand, code, minutes to expiry, the transaction lines the person is approving,
 * and a warning not to share the code. English only for now; templates per locale come with the template store.
 */
@Component
class MessageRenderer {

    OutboundMessage render(DeliveryRequest request, App app) {
        long minutes = Math.max(1, (request.ttlSeconds() + 59) / 60);
        StringBuilder text = new StringBuilder()
                .append(request.brand()).append(": your verification code is ").append(request.code())
                .append(". It expires in ").append(minutes).append(minutes == 1 ? " minute." : " minutes.");
        Map<String, String> transaction = request.transaction();
        if (transaction != null && !transaction.isEmpty()) {
            text.append("\nYou are approving:");
            transaction.forEach((key, value) -> text.append('\n').append(key).append(": ").append(value));
        }
        text.append("\nDo not share this code with anyone.");
        String subject = "Your " + request.brand() + " verification code";
        String body = text.toString();
        boolean ascii = body.chars().allMatch(c -> c < 128);
        return new OutboundMessage(request.appId(), request.channel(), request.destination().value(),
                app.delivery().senderId(), request.channel().equals("email") ? subject : null, body, null,
                request.code(), request.locale(), ascii ? "GSM-7" : "UCS-2", 1, request.verificationId() + "/" + request.step());
    }
}
