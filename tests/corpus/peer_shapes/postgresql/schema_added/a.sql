CREATE TABLE public_thing (id integer PRIMARY KEY);
