-- App settings for delivery and for abuse defences, as JSON documents (apps.DeliverySettings, DefenceSettings).
alter table apps add column delivery_settings varchar(16000);
alter table apps add column defence_settings varchar(8000);

-- The workflow a verification runs, and where it is in it.
alter table verifications add column workflow_json varchar(1000);
alter table verifications add column workflow_index integer default 0 not null;
alter table verifications add column phone_blocked boolean default false not null;
alter table verifications add column test_destination boolean default false not null;
-- The destination's country and number range (never the number), for per-prefix limits and fraud detection.
alter table verifications add column destination_country varchar(2);
alter table verifications add column destination_prefix varchar(16);
-- The Android app hash the start named, for the SMS Retriever line of every step's SMS.
alter table verifications add column app_hash varchar(11);

-- One row per code sent (a verification's "steps"): which channel and provider, and what became of it.
-- Written by the delivery worker and by receipts, never on the start path.
create table delivery_steps (
    verification_id      varchar(40)  not null,
    step                 integer      not null,
    app_id               varchar(40)  not null,
    channel              varchar(20)  not null,
    provider             varchar(60),
    provider_message_id  varchar(120),
    status               varchar(16)  not null,
    reason               varchar(200),
    segments             integer,
    encoding             varchar(10),
    providers_tried      varchar(400),
    queued_at            timestamp with time zone not null,
    sent_at              timestamp with time zone,
    delivered_at         timestamp with time zone,
    updated_at           timestamp with time zone not null,
    primary key (verification_id, step)
);
create index delivery_steps_provider_message_idx on delivery_steps (provider, provider_message_id);
