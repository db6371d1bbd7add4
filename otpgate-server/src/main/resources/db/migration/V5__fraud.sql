-- Fraud defences (S-34, S-35). Counts and spend are written in the background from verification events, never
-- on a start's path, and shared by every node. A prefix is a number range ('+' country code and at most four
-- national digits), never a whole number.

-- Starts and approvals per app, prefix and UTC minute (epoch minute); old buckets are deleted in the background.
create table fraud_counts (
    app_id        varchar(64) not null,
    prefix        varchar(16) not null,
    country       varchar(2),
    bucket_minute bigint      not null,
    starts        integer     not null,
    approvals     integer     not null,
    primary key (app_id, prefix, bucket_minute)
);
create index fraud_counts_minute_idx on fraud_counts (bucket_minute);

-- Estimated SMS and voice spend per app and UTC day, from the configured price table.
create table fraud_spend (
    app_id    varchar(64)    not null,
    spend_day date           not null,
    amount    numeric(18, 4) not null,
    primary key (app_id, spend_day)
);

-- Every flag and block with its reason and the figures behind it. action: 'flagged' (monitor mode) or
-- 'blocked'; a block holds until expires_at or until an operator lifts it (lifted_at).
create table fraud_flags (
    id          varchar(40)    primary key,
    app_id      varchar(64)    not null,
    reason      varchar(32)    not null,
    action      varchar(16)    not null,
    prefix      varchar(16),
    country     varchar(2),
    starts      integer        not null,
    approvals   integer        not null,
    baseline    numeric(12, 2) not null,
    factor      numeric(12, 2) not null,
    created_at  timestamp with time zone not null,
    expires_at  timestamp with time zone,
    lifted_at   timestamp with time zone,
    lifted_by   varchar(64)
);
create index fraud_flags_app_idx on fraud_flags (app_id, created_at);
create index fraud_flags_active_idx on fraud_flags (action, expires_at);

-- The countries each app has sent to, and since when, so that a burst to a new country stands out.
create table fraud_countries (
    app_id     varchar(64) not null,
    country    varchar(2)  not null,
    first_seen timestamp with time zone not null,
    primary key (app_id, country)
);
