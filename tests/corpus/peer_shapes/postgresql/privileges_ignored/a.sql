CREATE TABLE secret (id integer PRIMARY KEY, v text);
