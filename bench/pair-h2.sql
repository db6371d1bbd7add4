-- The statements of one start+check pair on the embedded H2 database, for bench/JdbcFloor.java. They MIRROR
-- bench/pair.sql (PostgreSQL, pgbench) statement for statement, in the same order and with the same transaction
-- boundaries: change one, change the other. The Java source of each statement is named in pair.sql.
--
-- Differences from pair.sql, all of them on the server's side of the comparison:
--   * H2's dialect: no "returning" on update, so the server's ReturningUpdates writes the check's counting update
--     as "select … from final table (update …)", and so does this file; no data-modifying WITH either, so the
--     record of a sent code is the server's H2 form (SentRecord): the step's update, its insert when the update
--     found no row, the verification's delivery status and the job row's removal, in one transaction.
--   * Values are bound parameters (:name, bound by JdbcFloor.java as a prepared statement), as the server binds
--     them, where pair.sql builds them in SQL from pgbench's random numbers: ids, ciphertexts, blind indexes and
--     hashes (random bytes of the same lengths), and timestamps (:now, :expires = :now + 600 s).
--   * The pollers' look for due jobs runs fetch_permille / 1000 times per pair, as in pair.sql
--     (JdbcFloor's --fetch-permille; H2 keeps no statement counts, so the server's own rate is not measured).
--
-- Format read by JdbcFloor.java: "-- @phase NAME" starts a phase (start, worker, check; they run in file order);
-- "-- @poll" marks the next statement as the poll; BEGIN; and COMMIT; are the transaction boundaries (outside
-- them every statement commits by itself, as with autocommit); every other statement ends with ";" at the end
-- of a line; a statement beginning with "select" is a query whose rows are all read.
-- Parameters: :key_hash :app_id :id (the verification id) :task (its job's instance) :dest_ciphertext
-- :dest_index :masked :code_hash :task_data :recipient :body :now :expires :due (:now + the hand-off grace, 5 s).

-- @phase start
BEGIN;
insert into verifications (id, app_id, status, channel, destination_type, destination_ciphertext, destination_index, destination_masked, code_hash, code_step, attempts, max_attempts, send_count, max_sends, resend_cooldown_seconds, code_ttl_seconds, locale, transaction_json, end_user_ciphertext, delivery_status, delivery_error, failure_reason, created_at, updated_at, expires_at, last_sent_at, approved_at, workflow_json, workflow_index, phone_blocked, test_destination, destination_country, destination_prefix, app_hash) values (:id, :app_id, 'pending', 'sms', 'phone', :dest_ciphertext, :dest_index, :masked, :code_hash, 1, 0, 5, 1, 5, 30, 600, 'en', null, :dest_index, 'queued', null, null, :now, :now, :expires, :now, null, null, 0, false, false, 'US', '+1415555', null);
insert into scheduled_tasks(task_name, task_instance, task_data, execution_time, picked, version) values('deliver-code', :task, :task_data, :due, false, 1);
COMMIT;

-- @phase worker
-- @poll
select * from scheduled_tasks where picked = false and execution_time <= :now ORDER BY execution_time ASC LIMIT 24;
update scheduled_tasks set picked = true, picked_by = 'h2floor', last_heartbeat = :now, version = version + 1 where task_name = 'deliver-code' and task_instance = :task and picked = false and version = 1 and last_failure is null;
insert into dev_messages (channel, recipient, body, created_at) values ('sms', :recipient, :body, :now);
BEGIN;
update delivery_steps set provider = 'dev-inbox', provider_message_id = null, status = 'sent', reason = null, segments = 1, encoding = 'GSM-7', providers_tried = null, sent_at = :now, updated_at = :now where verification_id = :id and step = 1;
insert into delivery_steps (verification_id, step, app_id, channel, provider, provider_message_id, status, reason, segments, encoding, providers_tried, queued_at, sent_at, updated_at) values (:id, 1, :app_id, 'sms', 'dev-inbox', null, 'sent', null, 1, 'GSM-7', null, :now, :now, :now);
update verifications set delivery_status = 'sent', delivery_error = null, updated_at = :now where id = :id and code_step = 1;
delete from scheduled_tasks where task_name = 'deliver-code' and task_instance = :task and version = 2 and picked_by = 'h2floor';
COMMIT;

-- @phase check
select attempts, max_attempts from final table (update verifications set attempts = attempts + 1, updated_at = :now where id = :id and app_id = :app_id and status = 'pending' and code_step = 1 and code_hash = :code_hash and transaction_json is null and expires_at > :now and attempts + 1 < max_attempts);
