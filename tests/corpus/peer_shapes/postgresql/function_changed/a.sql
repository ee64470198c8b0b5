CREATE FUNCTION add_tax(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p * 1.1 $$;
CREATE FUNCTION label(i integer) RETURNS text LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN 'n' || i; END $$;
CREATE FUNCTION gone(i integer) RETURNS integer LANGUAGE sql AS $$ SELECT i $$;
CREATE FUNCTION pair(i integer) RETURNS TABLE (a text, b integer) LANGUAGE sql AS $$ SELECT 'x', i $$;
