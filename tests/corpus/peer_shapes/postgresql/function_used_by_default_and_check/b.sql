CREATE FUNCTION is_even(i integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT mod(i, 2) = 0 $$;
CREATE TABLE pairing (id integer PRIMARY KEY, n integer CHECK (is_even(n)));
