CREATE TABLE slot (id integer PRIMARY KEY, pos integer, qty integer);
