CREATE TABLE note (id integer PRIMARY KEY, body text);
CREATE VIEW note_view AS SELECT id FROM note;
COMMENT ON TABLE note IS 'it''s new';
COMMENT ON COLUMN note.id IS 'key';
COMMENT ON VIEW note_view IS 'a view';
