CREATE FUNCTION next_ref() RETURNS text LANGUAGE sql AS $$ SELECT 'R' || floor(random() * 1000)::text $$;
CREATE TABLE orders (id integer PRIMARY KEY, ref text DEFAULT next_ref());
