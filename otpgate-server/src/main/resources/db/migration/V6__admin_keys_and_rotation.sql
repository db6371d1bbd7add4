-- Admin keys you can revoke and rotate, keys replaced with a grace period, and when each key was last used.
alter table api_keys add column last_used_at timestamp with time zone;
-- The key that replaced this one by rotation; set once, so a key is rotated at most once.
alter table api_keys add column replaced_by varchar(40);
-- True on the one key made at first start, null on every other: the unique index lets only one row hold it,
-- so nodes starting together on an empty database create one bootstrap key between them.
alter table api_keys add column bootstrap boolean;
create unique index api_keys_bootstrap_idx on api_keys (bootstrap);
update api_keys set bootstrap = true
 where id = (select id from api_keys where app_id is null order by created_at, id limit 1);
