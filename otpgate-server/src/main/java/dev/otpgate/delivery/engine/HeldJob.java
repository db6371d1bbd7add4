package dev.otpgate.delivery.engine;

/**
 * A {@code deliver-code} job row this node claimed for its own dispatcher: db-scheduler's row, held in its own
 * columns ({@code picked}, {@code picked_by}, {@code last_heartbeat}) at {@code version}. Whatever ends the run
 * (the record of its outcome, or handing it back for a retry) names this version, so a row that was meanwhile
 * taken for dead and revived elsewhere is left to whoever holds it now.
 */
record HeldJob(String instanceId, long version) {}
