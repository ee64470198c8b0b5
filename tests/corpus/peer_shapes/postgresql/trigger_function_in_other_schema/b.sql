CREATE SCHEMA util;
CREATE FUNCTION util.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$;
CREATE TABLE item (id integer PRIMARY KEY, at timestamptz);
CREATE TRIGGER item_stamp BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION util.stamp();
CREATE VIEW util.items AS SELECT id FROM public.item;
