CREATE TABLE src (id integer PRIMARY KEY, v text);
CREATE VIEW summary AS SELECT count(*) AS n FROM src;
CREATE TABLE history_tab (id integer PRIMARY KEY);
