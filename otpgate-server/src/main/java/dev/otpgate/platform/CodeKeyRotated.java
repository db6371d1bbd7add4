package dev.otpgate.platform;

import java.time.Instant;

/** The code key set has a new primary key; codes sent before keep checking until they expire. */
public record CodeKeyRotated(int primaryKeyId, Instant at) {}
