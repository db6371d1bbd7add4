-- The tamper-evident audit trail (S-44, S-46). Rows are appended and never updated; the retention purge deletes
-- the oldest whole checkpoint intervals. Each row's hash is HMAC(audit key, prev_hash || canonical row), hex; the
-- canonical form (docs/audit-event.schema.json) is rebuilt from the columns, so details are kept as the exact
-- JSON text that was hashed (varchar, not a JSON type that would reorder it).
create table audit_events (
    sequence       bigint                   primary key,
    occurred_at    timestamp with time zone not null,
    actor          varchar(200)             not null,
    app_id         varchar(64),
    action         varchar(64)              not null,
    target_id      varchar(200),
    outcome        varchar(16)              not null,
    client_address varchar(64),
    details        varchar(4000)            not null,
    prev_hash      varchar(128)             not null,
    hash           varchar(128)             not null
);
create index audit_events_app_idx on audit_events (app_id, sequence);
create index audit_events_time_idx on audit_events (occurred_at);

-- The chain's single head row: every append locks it (select ... for update), so two nodes never fork the chain.
-- digest: the running SHA-256 over the rows since the last checkpoint, which the next checkpoint signs.
create table audit_head (
    id                  integer                  primary key,
    sequence            bigint                   not null,
    hash                varchar(128)             not null,
    digest              varchar(64)              not null,
    checkpoint_sequence bigint                   not null,
    checkpoint_at       timestamp with time zone not null
);
insert into audit_head (id, sequence, hash, digest, checkpoint_sequence, checkpoint_at)
values (1, 0, 'genesis', '0000000000000000000000000000000000000000000000000000000000000000', 0, current_timestamp);

-- Signed checkpoints: payload is the canonical JSON that was signed with the Ed25519 key, signature its hex.
create table audit_checkpoints (
    id             bigint                   primary key,
    sequence       bigint                   not null,
    kind           varchar(16)              not null,
    purged_through bigint,
    created_at     timestamp with time zone not null,
    payload        varchar(2000)            not null,
    signature      varchar(256)             not null
);
create index audit_checkpoints_sequence_idx on audit_checkpoints (sequence);

-- How far each sink has been delivered: a sink that was down resumes after its last delivered row and checkpoint.
create table audit_sink_positions (
    sink          varchar(32)              primary key,
    sequence      bigint                   not null,
    checkpoint_id bigint                   not null,
    delivered_at  timestamp with time zone,
    failing_since timestamp with time zone
);
