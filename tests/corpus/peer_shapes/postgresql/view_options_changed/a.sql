CREATE TABLE row_src (id integer PRIMARY KEY, visible boolean);
CREATE VIEW visible_rows AS SELECT id, visible FROM row_src WHERE visible;
