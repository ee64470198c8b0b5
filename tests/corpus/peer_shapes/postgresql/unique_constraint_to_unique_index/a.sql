CREATE TABLE code (id integer PRIMARY KEY, c text CONSTRAINT code_c_key UNIQUE);
