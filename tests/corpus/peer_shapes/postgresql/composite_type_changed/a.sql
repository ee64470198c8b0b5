CREATE TYPE point3 AS (x integer, y integer);
CREATE TABLE shape (id integer PRIMARY KEY);
