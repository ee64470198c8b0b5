CREATE TABLE event (id integer PRIMARY KEY, kind text, at timestamptz, payload jsonb, owner integer);
CREATE INDEX event_kind ON event (kind, at DESC);
CREATE INDEX event_at ON event (at) WHERE kind <> 'noise';
CREATE INDEX event_owner_kind ON event (owner, kind);
CREATE INDEX event_payload ON event USING gin (payload jsonb_path_ops);
CREATE INDEX event_lower_kind ON event (lower(kind)) INCLUDE (owner);
