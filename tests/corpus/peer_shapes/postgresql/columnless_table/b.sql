CREATE TABLE grows (id integer);
CREATE TABLE fresh_empty ();
