CREATE TABLE note (id integer PRIMARY KEY, body text);
COMMENT ON TABLE note IS 'old';
COMMENT ON COLUMN note.body IS 'the text';
