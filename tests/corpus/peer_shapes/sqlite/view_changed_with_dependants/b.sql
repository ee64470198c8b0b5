CREATE TABLE base (id INTEGER PRIMARY KEY, name TEXT, score INTEGER);
CREATE VIEW v1 AS SELECT id, upper(name) AS name, score FROM base;
CREATE VIEW v2 AS SELECT name FROM v1;
