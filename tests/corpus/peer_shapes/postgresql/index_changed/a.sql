CREATE TABLE event (id integer PRIMARY KEY, kind text, at timestamptz, payload jsonb, owner integer);
CREATE INDEX event_kind ON event (kind);
CREATE INDEX event_at ON event (at);
CREATE UNIQUE INDEX event_owner_kind ON event (owner, kind);
CREATE INDEX event_dropped ON event (owner);
