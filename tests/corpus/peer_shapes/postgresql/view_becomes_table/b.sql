CREATE TABLE src (id integer PRIMARY KEY, v text);
CREATE TABLE summary (n bigint);
CREATE VIEW history_tab AS SELECT id FROM src;
