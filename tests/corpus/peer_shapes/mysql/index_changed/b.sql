CREATE TABLE event (id int PRIMARY KEY, kind varchar(20), at datetime, owner int, body text,
    KEY event_kind (kind, at DESC), KEY event_at (at) COMMENT 'by time', KEY event_owner_kind (owner, kind),
    KEY event_body (body(20)), FULLTEXT KEY event_ft (body));
