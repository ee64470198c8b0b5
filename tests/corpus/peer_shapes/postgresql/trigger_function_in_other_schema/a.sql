CREATE SCHEMA util;
CREATE TABLE item (id integer PRIMARY KEY, at timestamptz);
