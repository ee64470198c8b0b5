CREATE TABLE hot (id integer PRIMARY KEY, v text, u integer NOT NULL);
CREATE UNIQUE INDEX hot_u ON hot (u);
