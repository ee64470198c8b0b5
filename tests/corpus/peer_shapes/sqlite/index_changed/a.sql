CREATE TABLE event (id INTEGER PRIMARY KEY, kind TEXT, at TEXT, owner INTEGER);
CREATE INDEX event_kind ON event (kind);
CREATE UNIQUE INDEX event_owner_kind ON event (owner, kind);
CREATE INDEX event_dropped ON event (owner);
