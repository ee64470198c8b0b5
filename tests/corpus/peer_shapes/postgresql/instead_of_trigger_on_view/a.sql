CREATE TABLE base_t (id integer PRIMARY KEY, v text);
CREATE VIEW base_v AS SELECT id, v FROM base_t;
