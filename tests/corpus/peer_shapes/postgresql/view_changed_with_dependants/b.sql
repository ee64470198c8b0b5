CREATE TABLE base (id integer PRIMARY KEY, name text, score integer);
CREATE VIEW v1 AS SELECT id, upper(name) AS name, score FROM base;
CREATE VIEW v2 AS SELECT name FROM v1;
CREATE VIEW v3 AS SELECT name FROM v2 WHERE name <> '';
CREATE FUNCTION names_of_v2() RETURNS SETOF text LANGUAGE sql AS $$ SELECT name FROM v2 $$;
