CREATE DOMAIN money_amount AS numeric(10,2);
CREATE TABLE ledger (id integer PRIMARY KEY, tags text[], amount money_amount, codes integer[]);
