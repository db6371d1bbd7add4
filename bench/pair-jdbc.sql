-- The statements of one start+check pair on PostgreSQL through JDBC (pgjdbc), for bench/JdbcFloor.java. They are
-- bench/pair.sql's statements, statement for statement, in the same order and with the same transaction
-- boundaries: change one, change the other. The Java source of each statement is named in pair.sql.
--
-- Differences from pair.sql, all of them on the server's side of the comparison:
--   * Values are bound parameters (:name, bound by JdbcFloor.java as a prepared statement), as the server binds
--     them, where pair.sql builds them in SQL from pgbench's random numbers: ids, ciphertexts, blind indexes and
--     hashes (random bytes of the same lengths), and timestamps (:now, :expires = :now + 600 s, :due = :now + 5 s).
--   * The driver is the server's (pgjdbc, from the server's own dependencies), with its defaults: a statement
--     becomes a named server-side prepared statement on its fifth use on a connection, and BEGIN travels with
--     the transaction's first statement.
--
-- Format: see bench/pair-h2.sql. A statement beginning with "select" or holding "returning" is a query whose
-- rows are all read.

-- @phase start
BEGIN;
insert into verifications (id, app_id, status, channel, destination_type, destination_ciphertext, destination_index, destination_masked, code_hash, code_step, attempts, max_attempts, send_count, max_sends, resend_cooldown_seconds, code_ttl_seconds, locale, transaction_json, end_user_ciphertext, delivery_status, delivery_error, failure_reason, created_at, updated_at, expires_at, last_sent_at, approved_at, workflow_json, workflow_index, phone_blocked, test_destination, destination_country, destination_prefix, app_hash) values (:id, :app_id, 'pending', 'sms', 'phone', :dest_ciphertext, :dest_index, :masked, :code_hash, 1, 0, 5, 1, 5, 30, 600, 'en', null, :dest_index, 'queued', null, null, :now, :now, :expires, :now, null, null, 0, false, false, 'US', '+1415555', null);
insert into scheduled_tasks(task_name, task_instance, task_data, execution_time, picked, version) values('deliver-code', :task, :task_data, :due, false, 1);
COMMIT;

-- @phase worker
-- @poll
select * from scheduled_tasks where picked = false and execution_time <= :now ORDER BY execution_time ASC LIMIT 24;
update scheduled_tasks set picked = true, picked_by = 'jdbcfloor', last_heartbeat = :now, version = version + 1 where task_name = 'deliver-code' and task_instance = :task and picked = false and version = 1 and last_failure is null;
insert into dev_messages (channel, recipient, body, created_at) values ('sms', :recipient, :body, :now);
BEGIN;
with w0 as (update verifications set delivery_status = 'sent', delivery_error = null, updated_at = :now where id = :id and code_step = 1), job as (delete from scheduled_tasks where task_name = 'deliver-code' and task_instance = :task and version = 2 and picked_by = 'jdbcfloor') insert into delivery_steps (verification_id, step, app_id, channel, provider, provider_message_id, status, reason, segments, encoding, providers_tried, queued_at, sent_at, updated_at) values (:id, 1, :app_id, 'sms', 'dev-inbox', null, 'sent', null, 1, 'GSM-7', null, :now, :now, :now) on conflict (verification_id, step) do update set provider = excluded.provider, provider_message_id = excluded.provider_message_id, status = excluded.status, reason = null, segments = excluded.segments, encoding = excluded.encoding, providers_tried = excluded.providers_tried, sent_at = excluded.sent_at, updated_at = excluded.updated_at;
COMMIT;

-- @phase check
update verifications set attempts = attempts + 1, updated_at = :now where id = :id and app_id = :app_id and status = 'pending' and code_step = 1 and code_hash = :code_hash and transaction_json is null and expires_at > :now and attempts + 1 < max_attempts returning attempts, max_attempts;
