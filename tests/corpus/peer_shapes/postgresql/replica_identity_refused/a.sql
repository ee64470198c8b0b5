CREATE TABLE hot (id integer PRIMARY KEY, u integer NOT NULL);
CREATE UNIQUE INDEX hot_u ON hot (u);
