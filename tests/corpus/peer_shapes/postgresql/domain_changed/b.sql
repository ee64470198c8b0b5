CREATE DOMAIN posint AS integer NOT NULL DEFAULT 1 CONSTRAINT posint_check CHECK (VALUE > 0);
CREATE DOMAIN short_text AS varchar(10);
CREATE TABLE stock (id integer PRIMARY KEY, qty posint, tag short_text);
