CREATE TABLE base (id int PRIMARY KEY, name varchar(50), score int);
CREATE VIEW v1 AS SELECT id, upper(name) AS name, score FROM base;
CREATE VIEW v2 AS SELECT name FROM v1 WHERE name <> '';
CREATE VIEW v3 AS SELECT name FROM v2;
