-- pgbench script: the SQL the server issues for one start+check pair, statement for statement, so that
-- pgbench's rate is the floor the database alone sets for the server's work. Captured with log_statement=all
-- from one pair against the server (see README.md); the Java source of each statement is named above it.
-- Differences from the server: timestamps are now() instead of bound parameters; ids, hashes and ciphertexts
-- are built in SQL from random numbers (same lengths, near enough) instead of being bound; no Hikari
-- connection validation (an empty query, sent only after a connection was idle).
--
-- Variables set by run.sh with -D: app_id, key_hash (the app key's secret_hash as \x…), task_data (a bytea of
-- the size db-scheduler writes), fetch_permille (how many times per 1000 pairs the worker polled for due jobs,
-- measured on the server during the same run).

\set r random(100000000000000000, 999999999999999999)
\set phone random(100, 199)
\set poll random(1, 1000)

-- ---- start: POST /v1/verifications --------------------------------------------------------------------
-- No read: the API key comes from the node's key cache (ApiKeyService), the app from its app cache (AppService),
-- both dropped on every node when they change (platform.Invalidations) and kept at most otpgate.cache.ttl.
BEGIN;
-- VerificationRepository.insert
insert into verifications (id, app_id, status, channel, destination_type, destination_ciphertext, destination_index, destination_masked, code_hash, code_step, attempts, max_attempts, send_count, max_sends, resend_cooldown_seconds, code_ttl_seconds, locale, transaction_json, end_user_ciphertext, delivery_status, delivery_error, failure_reason, created_at, updated_at, expires_at, last_sent_at, approved_at, workflow_json, workflow_index, phone_blocked, test_destination, destination_country, destination_prefix, app_hash) values ('vrf_pgbench_' || :r, :app_id, 'pending', 'sms', 'phone', '\x01'::bytea || sha256(int8send(:r::int8)) || substr(sha256(int8send(:phone::int8)), 1, 18), '\x01'::bytea || sha256(int8send(:phone::int8)) || '\x00000000'::bytea, '+1 415 ••• ••' || right(:phone::text, 2), '\x01'::bytea || sha256(int8send(:r::int8 + 1)) || '\x00000000'::bytea, 1, 0, 5, 1, 5, 30, 600, 'en', null, '\x01'::bytea || sha256(int8send(:r::int8 + 2)) || '\x00000000'::bytea, 'queued', null, null, now(), now(), now() + interval '600 seconds', now(), null, null, 0, false, false, 'US', '+1415555', null);
-- DeliveryQueue.enqueue -> db-scheduler SchedulerClient.scheduleBatch: a batch of one, a plain insert, due after
-- the hand-off's grace (otpgate.delivery.handoff-grace, 5 s)
insert into scheduled_tasks(task_name, task_instance, task_data, execution_time, picked, version) values('deliver-code', 'vrf_pgbench_' || :r || '-1', :task_data, now() + interval '5 seconds', false, 1);
COMMIT;

-- ---- delivery (the starting node's own dispatcher, LocalHandoff, right after the start's commit) ----------
-- db-scheduler FetchCandidates: the pollers still poll every polling interval, but a job is due only after the
-- hand-off's grace, so they find it only when a node left it; fetch_permille polls per 1000 pairs (up to 3 per
-- pair), as counted on the server during the same run.
\if :poll <= :fetch_permille
select * from scheduled_tasks where picked = false and execution_time <= now() ORDER BY execution_time ASC LIMIT 24;
\endif
\if :poll + 1000 <= :fetch_permille
select * from scheduled_tasks where picked = false and execution_time <= now() ORDER BY execution_time ASC LIMIT 24;
\endif
\if :poll + 2000 <= :fetch_permille
select * from scheduled_tasks where picked = false and execution_time <= now() ORDER BY execution_time ASC LIMIT 24;
\endif
-- LocalHandoff -> HandoffJobs.claim: the job row, in db-scheduler's columns, only if it never ran (no alreadySent
-- read on this path: the claim proves it is the first run)
update scheduled_tasks set picked = true, picked_by = 'pgbench', last_heartbeat = now(), version = version + 1 where task_name = 'deliver-code' and task_instance = 'vrf_pgbench_' || :r || '-1' and picked = false and version = 1 and last_failure is null;
-- DevInboxProvider.send: keep the message (a timer trims the inbox every 10 s, not counted here)
insert into dev_messages (channel, recipient, body, created_at) values ('sms', '+14155550' || :phone, 'Bench: your verification code is 123456. It expires in 10 minutes.' || chr(10) || 'Do not share this code with anyone.', now());
-- StepRecords.sent -> SentRecord.write: one statement (the verification's part is DeliveryOutcomes.SentStatus, a
-- SentStepWrite; the job row's removal is the hand-off's), in a transaction with the MessageSent listeners, which
-- write nothing here (no step timer, no webhook)
BEGIN;
with w0 as (update verifications set delivery_status = 'sent', delivery_error = null, updated_at = now() where id = 'vrf_pgbench_' || :r and code_step = 1), job as (delete from scheduled_tasks where task_name = 'deliver-code' and task_instance = 'vrf_pgbench_' || :r || '-1' and version = 2 and picked_by = 'pgbench') insert into delivery_steps (verification_id, step, app_id, channel, provider, provider_message_id, status, reason, segments, encoding, providers_tried, queued_at, sent_at, updated_at) values ('vrf_pgbench_' || :r, 1, :app_id, 'sms', 'dev-inbox', null, 'sent', null, 1, 'GSM-7', null, now(), now(), now()) on conflict (verification_id, step) do update set provider = excluded.provider, provider_message_id = excluded.provider_message_id, status = excluded.status, reason = null, segments = excluded.segments, encoding = excluded.encoding, providers_tried = excluded.providers_tried, sent_at = excluded.sent_at, updated_at = excluded.updated_at;
COMMIT;

-- ---- check: POST /v1/verifications/{id}/check with a wrong code -------------------------------------------
-- The API key comes from the node's key cache and the check material from the node's check cache (the start ran
-- on the same node), so neither is read: one statement, in autocommit (no COMMIT).
-- CheckService.checkCopy -> VerificationRepository.countCachedGuess: counts the guess only while the row holds the
-- copied step, tag and transaction and the guess leaves an attempt; answers the attempts left
update verifications set attempts = attempts + 1, updated_at = now() where id = 'vrf_pgbench_' || :r and app_id = :app_id and status = 'pending' and code_step = 1 and code_hash = '\x01'::bytea || sha256(int8send(:r::int8 + 1)) || '\x00000000'::bytea and transaction_json is null and expires_at > now() and attempts + 1 < max_attempts returning attempts, max_attempts;
