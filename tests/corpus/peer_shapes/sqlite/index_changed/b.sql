CREATE TABLE event (id INTEGER PRIMARY KEY, kind TEXT, at TEXT, owner INTEGER);
CREATE INDEX event_kind ON event (kind, at DESC);
CREATE INDEX event_owner_kind ON event (owner, kind) WHERE owner IS NOT NULL;
CREATE INDEX event_lower ON event (lower(kind));
