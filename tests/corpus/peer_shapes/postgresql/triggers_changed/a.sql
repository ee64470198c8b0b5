CREATE TABLE emp (name text, salary integer, stamped timestamptz);
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.stamped := now(); RETURN NEW; END $$;
CREATE TRIGGER emp_stamp BEFORE UPDATE ON emp FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER emp_gone BEFORE INSERT ON emp FOR EACH ROW EXECUTE FUNCTION stamp();
