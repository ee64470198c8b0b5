CREATE TABLE emp (name text, salary integer, stamped timestamptz);
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.salary < 0 THEN RAISE EXCEPTION 'negative salary for %', NEW.name; END IF;
    NEW.stamped := now();
    RETURN NEW;
END $$;
CREATE TRIGGER emp_stamp BEFORE INSERT OR UPDATE ON emp FOR EACH ROW EXECUTE FUNCTION stamp();
CREATE TRIGGER emp_new AFTER DELETE ON emp FOR EACH STATEMENT EXECUTE FUNCTION stamp();
