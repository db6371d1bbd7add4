-- Privacy by default. The end user's IP address and user agent are kept as one AEAD ciphertext under the data
-- key, bound to the verification id, like the destination. Values stored in clear before this version are
-- dropped rather than carried over: SQL cannot encrypt them, and they are only context for an audit.
alter table verifications add column end_user_ciphertext bytea;
alter table verifications drop column end_user_ip;
alter table verifications drop column end_user_agent;

-- Retention and erasure strip a verification of its personal data and keep the rest (status, channel, times,
-- country); purged_at says when. Stripped rows keep no ciphertext and no blind index.
alter table verifications add column purged_at timestamp with time zone;
alter table verifications alter column destination_ciphertext drop not null;
alter table verifications alter column destination_index drop not null;
create index verifications_retention_idx on verifications (purged_at, updated_at);

-- What survives the purge: counts per app, channel, country (empty for email) and UTC day, by final status.
create table verification_daily_counts (
    app_id      varchar(40) not null,
    count_day   date        not null,
    channel     varchar(20) not null,
    country     varchar(2)  not null,
    status      varchar(16) not null,
    total       bigint      not null,
    primary key (app_id, count_day, channel, country, status)
);

-- The index key set's rotation: when each key was added, made primary and retired (platform.KeyRing). Retiring
-- a key is refused until every rate-limit window and lockout count under it has passed.
create table index_keys (
    key_id       bigint      primary key,
    added_at     timestamp with time zone not null,
    promoted_at  timestamp with time zone,
    retired_at   timestamp with time zone
);

-- An app's own retention window, shorter than the instance's (otpgate.privacy.retention); none = the instance's.
create table privacy_app_retention (
    app_id             varchar(40) primary key references apps (id) on delete cascade,
    retention_seconds  bigint      not null,
    updated_at         timestamp with time zone not null
);
