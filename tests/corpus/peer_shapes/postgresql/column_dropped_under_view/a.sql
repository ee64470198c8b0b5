CREATE TABLE staff (id integer PRIMARY KEY, name text, phone text);
CREATE VIEW staff_phone AS SELECT id, phone FROM staff;
CREATE VIEW staff_name AS SELECT id, name FROM staff;
