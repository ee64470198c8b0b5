CREATE TABLE doc (id integer PRIMARY KEY, owner text);
