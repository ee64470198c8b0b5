CREATE TABLE person (id integer PRIMARY KEY, name text, email text NOT NULL);
