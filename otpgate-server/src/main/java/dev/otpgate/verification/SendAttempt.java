package dev.otpgate.verification;

import dev.otpgate.apps.App;
import dev.otpgate.apps.Channel;
import dev.otpgate.privacy.Destination;

/**
 * One code about to be sent: what every {@link SendRule} may look at. The destination is normalised and parsed
 * once (country, prefix, number type), so aliasing cannot slip past a rule (S-33).
 *
 * @param verificationId {@code null} for a start (the verification does not exist yet)
 * @param destinationIndex the destination's blind index, for limits that count per destination
 * @param phoneBlocked true when a SIM swap blocked the phone channels of this verification
 * @param endUserIp the person's address as the app passed it, or {@code null}
 * @param apiKeyId the key that asked for the send; {@code null} when the workflow moves on by itself
 */
public record SendAttempt(App app, String verificationId, Destination destination, byte[] destinationIndex,
        Channel channel, Origin origin, boolean phoneBlocked, String endUserIp, String apiKeyId) {

    /** What asked for the send. */
    public enum Origin {
        /** The first code of a new verification. */
        START,
        /** The app asked for another code: the same or another channel, or the workflow's next step. */
        RESEND,
        /** The workflow moved on by itself: a step timed out, failed, was undelivered or lost its phone channels. */
        WORKFLOW
    }

    @Override
    public String toString() {
        return "SendAttempt[" + app.id() + " " + verificationId + " " + channel + " " + origin + "]";
    }
}
