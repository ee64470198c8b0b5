CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE stock (id integer PRIMARY KEY, qty posint);
