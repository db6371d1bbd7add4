package dev.otpgate.delivery.engine;

/**
 * A {@code deliver-code} job row this node claimed for its own dispatcher: db-scheduler's row, held in its own
 * columns ({@code picked}, {@code picked_by}, {@code last_heartbeat}) at {@code version}. Whatever ends the run
 * (the record of its outcome, or handing it back for a retry) names this version and {@code pickedBy}, so a row
 * that was meanwhile taken for dead and revived elsewhere is left to whoever holds it now. The version alone would
 * not do: db-scheduler puts a revived row back at version 1, and its next pick makes it 2 again.
 *
 * @param pickedBy this process's name in {@code picked_by}: the scheduler's name and a random suffix
 */
record HeldJob(String instanceId, long version, String pickedBy) {}
