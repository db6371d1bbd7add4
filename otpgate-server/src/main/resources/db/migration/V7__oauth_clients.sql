-- OAuth 2.0 clients (client credentials grant), one app each. Secrets are random (256 bits) and stored only as
-- SHA-256 hashes; during a rotation's grace period the previous hash keeps authenticating until its end.
create table oauth_clients (
    id                          varchar(40)  primary key,
    app_id                      varchar(40)  not null references apps (id) on delete cascade,
    name                        varchar(100) not null,
    scopes                      varchar(300) not null,
    token_ttl_seconds           integer      not null,
    secret_hash                 bytea        not null,
    secret_hint                 varchar(20)  not null,
    previous_secret_hash        bytea,
    previous_secret_expires_at  timestamp with time zone,
    created_at                  timestamp with time zone not null,
    secret_rotated_at           timestamp with time zone
);
create index oauth_clients_app_idx on oauth_clients (app_id);
