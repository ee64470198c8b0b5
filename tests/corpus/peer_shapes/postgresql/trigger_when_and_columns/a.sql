CREATE TABLE acct (id integer PRIMARY KEY, bal integer, touched boolean);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := true; RETURN NEW; END $$;
CREATE TRIGGER acct_touch BEFORE UPDATE ON acct FOR EACH ROW EXECUTE FUNCTION touch();
