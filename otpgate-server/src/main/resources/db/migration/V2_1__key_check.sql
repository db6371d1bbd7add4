-- Values computed with each key set on first start; a later start with other key sets is refused.
create table key_check (
    name         varchar(20) primary key,
    check_value  bytea       not null
);
