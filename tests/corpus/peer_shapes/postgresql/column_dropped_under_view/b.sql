CREATE TABLE staff (id integer PRIMARY KEY, name text);
CREATE VIEW staff_name AS SELECT id, name FROM staff;
