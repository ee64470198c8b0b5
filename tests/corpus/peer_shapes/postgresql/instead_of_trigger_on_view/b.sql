CREATE TABLE base_t (id integer PRIMARY KEY, v text);
CREATE VIEW base_v AS SELECT id, v FROM base_t;
CREATE FUNCTION base_v_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO base_t VALUES (NEW.id, upper(NEW.v)); RETURN NEW; END $$;
CREATE TRIGGER base_v_ins INSTEAD OF INSERT ON base_v FOR EACH ROW EXECUTE FUNCTION base_v_ins();
