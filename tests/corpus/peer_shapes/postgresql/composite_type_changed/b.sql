CREATE TYPE point3 AS (x integer, y integer, z integer);
CREATE TABLE shape (id integer PRIMARY KEY, origin point3);
