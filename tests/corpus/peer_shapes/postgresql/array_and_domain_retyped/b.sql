CREATE DOMAIN money_amount AS numeric(10,2);
CREATE TABLE ledger (id integer PRIMARY KEY, tags varchar(20)[], amount numeric(12,2), codes bigint[]);
