CREATE TABLE acct (id integer PRIMARY KEY, bal integer, touched boolean);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := true; RETURN NEW; END $$;
CREATE TRIGGER acct_touch BEFORE UPDATE OF bal ON acct FOR EACH ROW WHEN (OLD.bal IS DISTINCT FROM NEW.bal) EXECUTE FUNCTION touch();
