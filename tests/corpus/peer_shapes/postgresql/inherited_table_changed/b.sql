CREATE TABLE animal (id integer, name text, legs integer DEFAULT 4);
CREATE TABLE dog (bark text, loud boolean) INHERITS (animal);
CREATE TABLE cat (meow text) INHERITS (animal);
