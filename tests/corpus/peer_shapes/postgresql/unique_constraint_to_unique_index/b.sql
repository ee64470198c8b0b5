CREATE TABLE code (id integer PRIMARY KEY, c text);
CREATE UNIQUE INDEX code_c_key ON code (c);
