CREATE FUNCTION add_tax(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p * 1.2 $$;
CREATE FUNCTION label(i integer) RETURNS text LANGUAGE plpgsql VOLATILE SECURITY DEFINER AS $$ BEGIN RETURN 'item ' || i; END $$;
CREATE FUNCTION pair(i integer) RETURNS TABLE (a text, b bigint) LANGUAGE sql AS $$ SELECT 'x', i::bigint $$;
CREATE FUNCTION fresh(t text[]) RETURNS integer LANGUAGE sql AS $$ SELECT cardinality(t) $$;
