-- Outgoing webhooks (Standard Webhooks v1). Secrets are sealed with the data key (AES-256-GCM, the endpoint id as
-- associated data); events are written in the transaction of the state change they report, and dispatchers on
-- every node claim due deliveries with a lease.

-- events: the subscribed event types, comma-separated ('*' for all, 'verification.*' for a family).
-- previous_secret signs beside secret until previous_expires_at, so that receivers can roll over.
-- failing_since: the first failed attempt since the last success; disabled after 5 days of failures.
create table webhook_endpoints (
    id                  varchar(40)   primary key,
    app_id              varchar(64)   not null,
    url                 varchar(2048) not null,
    description         varchar(256),
    events              varchar(1024) not null,
    enabled             boolean       not null,
    disabled_reason     varchar(32),
    secret              bytea         not null,
    previous_secret     bytea,
    previous_expires_at timestamp with time zone,
    failing_since       timestamp with time zone,
    created_at          timestamp with time zone not null,
    updated_at          timestamp with time zone not null
);
create index webhook_endpoints_app_idx on webhook_endpoints (app_id);

-- One event of one app, as sent (the JSON body). Kept for the retention period so that it can be replayed.
-- endpoint_id is set only for an event meant for one endpoint (webhook.test).
create table webhook_events (
    id          varchar(40)  primary key,
    app_id      varchar(64)  not null,
    type        varchar(64)  not null,
    endpoint_id varchar(40),
    payload     varchar(20480) not null,
    created_at  timestamp with time zone not null
);
create index webhook_events_app_idx on webhook_events (app_id, created_at);

-- One event to deliver to one endpoint. status: 'pending', 'succeeded' or 'failed' (given up: schedule exhausted,
-- 410, endpoint deleted). A dispatcher claims a due row by setting locked_until (a lease) and locked_by.
create table webhook_deliveries (
    id              varchar(40)  primary key,
    event_id        varchar(40)  not null references webhook_events (id) on delete cascade,
    endpoint_id     varchar(40)  not null references webhook_endpoints (id) on delete cascade,
    status          varchar(16)  not null,
    attempts        integer      not null,
    next_attempt_at timestamp with time zone not null,
    locked_until    timestamp with time zone,
    locked_by       varchar(64),
    created_at      timestamp with time zone not null,
    updated_at      timestamp with time zone not null
);
create index webhook_deliveries_due_idx on webhook_deliveries (status, next_attempt_at);
create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id);

-- Every attempt: outcome, response status, latency, a short error class. Never a body or a header.
create table webhook_attempts (
    delivery_id   varchar(40)  not null references webhook_deliveries (id) on delete cascade,
    attempt       integer      not null,
    endpoint_id   varchar(40)  not null,
    event_id      varchar(40)  not null,
    event_type    varchar(64)  not null,
    outcome       varchar(16)  not null,
    response_code integer,
    latency_ms    bigint       not null,
    error         varchar(64),
    attempted_at  timestamp with time zone not null,
    primary key (delivery_id, attempt)
);
create index webhook_attempts_endpoint_idx on webhook_attempts (endpoint_id, attempted_at);
