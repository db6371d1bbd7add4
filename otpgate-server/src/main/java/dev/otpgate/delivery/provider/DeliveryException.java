package dev.otpgate.delivery.provider;

/** A provider could not deliver. The reason is shown to clients and logged: it must hold no secret. */
public class DeliveryException extends Exception {

    private final boolean permanent;

    public DeliveryException(String reason, boolean permanent, Throwable cause) {
        super(reason, cause);
        this.permanent = permanent;
    }

    public boolean permanent() {
        return permanent;
    }
}
