CREATE TABLE event (id int PRIMARY KEY, kind varchar(20), at datetime, owner int, body text,
    KEY event_kind (kind), KEY event_at (at), UNIQUE KEY event_owner_kind (owner, kind), KEY event_dropped (owner));
