-- Rate-limit buckets of otpgate.rate-limit.store=database (Bucket4j's PostgreSQL proxy, S-33). The id is the
-- policy and an opaque key (blind index, keyed hash or id), never a raw destination or IP. Unused with the
-- memory and redis stores; expired rows are deleted in the background.
create table rate_limit_buckets (
    id         varchar(255) primary key,
    state      bytea,
    expires_at bigint
);
create index rate_limit_buckets_expires_idx on rate_limit_buckets (expires_at);
