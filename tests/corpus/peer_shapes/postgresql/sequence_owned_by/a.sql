CREATE TABLE numbered (id integer PRIMARY KEY, n integer);
CREATE SEQUENCE numbered_n_seq;
