CREATE TABLE row_src (id integer PRIMARY KEY, visible boolean);
CREATE VIEW visible_rows WITH (security_barrier = true) AS SELECT id, visible FROM row_src WHERE visible WITH CASCADED CHECK OPTION;
