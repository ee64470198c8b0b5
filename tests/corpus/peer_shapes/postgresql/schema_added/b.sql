CREATE TABLE public_thing (id integer PRIMARY KEY);
CREATE SCHEMA billing;
CREATE TYPE billing.currency AS ENUM ('eur', 'usd');
CREATE TABLE billing.invoice (id integer PRIMARY KEY, cur billing.currency, thing integer REFERENCES public_thing);
CREATE VIEW billing.open_invoice AS SELECT id FROM billing.invoice;
