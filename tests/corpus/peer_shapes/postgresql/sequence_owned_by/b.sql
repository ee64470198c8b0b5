CREATE TABLE numbered (id integer PRIMARY KEY, n integer);
CREATE SEQUENCE numbered_n_seq OWNED BY numbered.n;
ALTER TABLE numbered ALTER COLUMN n SET DEFAULT nextval('numbered_n_seq');
