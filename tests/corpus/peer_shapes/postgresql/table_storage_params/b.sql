CREATE TABLE hot (id integer PRIMARY KEY, v text, u integer NOT NULL) WITH (fillfactor = 70);
CREATE UNIQUE INDEX hot_u ON hot (u);
