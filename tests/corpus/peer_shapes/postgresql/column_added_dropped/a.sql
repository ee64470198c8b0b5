CREATE TABLE item (id integer PRIMARY KEY, legacy text, qty integer NOT NULL DEFAULT 0);
