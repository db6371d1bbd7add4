package dev.otpgate.platform;

import java.time.Instant;

/** The data key set has a new primary key; holders of ciphertexts should re-encrypt them. */
public record DataKeyRotated(int primaryKeyId, Instant at) {}
