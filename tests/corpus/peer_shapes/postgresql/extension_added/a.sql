CREATE TABLE tagged (id integer PRIMARY KEY, email text);
