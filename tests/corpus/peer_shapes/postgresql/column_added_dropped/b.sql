CREATE TABLE item (id integer PRIMARY KEY, qty integer NOT NULL DEFAULT 0, note text, seen_at timestamptz);
