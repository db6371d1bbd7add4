package dev.otpgate.simswap;

/**
 * The SIM-swap check could not be made. The message is for the operator's log: a status, a CAMARA error code
 * or the kind of failure, never a phone number, a credential or a token (S-45).
 */
class SimSwapCheckException extends Exception {

    SimSwapCheckException(String message) {
        super(message, null, false, false);
    }
}
