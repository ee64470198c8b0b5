CREATE TABLE bug (id integer PRIMARY KEY, status text);
