package dev.otpgate.privacy;

/** A destination as stored: AEAD ciphertext, keyed blind index and the masked form shown to clients. */
public record SealedDestination(byte[] ciphertext, byte[] index, String masked) {}
