CREATE FUNCTION price_of(i integer) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT i * 2.5 $$;
CREATE TABLE product (id integer PRIMARY KEY);
CREATE VIEW priced AS SELECT id, price_of(id) AS price FROM product;
