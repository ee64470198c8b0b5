CREATE TABLE animal (id integer, name text);
CREATE TABLE dog (bark text) INHERITS (animal);
