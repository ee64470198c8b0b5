CREATE TABLE word (id integer PRIMARY KEY, w text);
