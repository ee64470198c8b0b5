CREATE TABLE stays (id integer PRIMARY KEY, parent_id integer);
