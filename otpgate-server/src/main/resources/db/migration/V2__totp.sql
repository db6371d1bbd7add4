-- TOTP settings per app: the accepted clock skew in steps (S-18) and the failures before a lockout.
alter table apps add column totp_skew_steps integer default 1 not null;
alter table apps add column totp_max_failures integer default 5 not null;

-- Authenticator-app factors. The seed is AES-256-GCM ciphertext bound to the factor id (S-22).
create table totp_factors (
    id               varchar(40)  primary key,
    app_id           varchar(40)  not null references apps (id) on delete cascade,
    account          varchar(128) not null,
    issuer           varchar(100) not null,
    algorithm        varchar(10)  not null,
    digits           integer      not null,
    period_seconds   integer      not null,
    seed_ciphertext  bytea        not null,
    status           varchar(16)  not null,
    last_step        bigint,
    failures         integer      not null,
    lock_level       integer      not null,
    locked_until     timestamp with time zone,
    created_at       timestamp with time zone not null,
    updated_at       timestamp with time zone not null,
    activated_at     timestamp with time zone,
    expires_at       timestamp with time zone
);
create index totp_factors_account_idx on totp_factors (app_id, account);
create index totp_factors_unverified_idx on totp_factors (status, expires_at);

-- Recovery codes: only their keyed hash, single use (S-41).
create table totp_recovery_codes (
    factor_id  varchar(40) not null references totp_factors (id) on delete cascade,
    code_hash  bytea       not null,
    used_at    timestamp with time zone,
    primary key (factor_id, code_hash)
);
