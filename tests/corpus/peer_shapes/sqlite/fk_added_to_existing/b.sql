CREATE TABLE parent (id INTEGER PRIMARY KEY);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE, note TEXT NOT NULL DEFAULT '' CHECK (length(note) < 100));
CREATE INDEX child_parent ON child (parent_id);
CREATE TRIGGER child_note AFTER INSERT ON child BEGIN UPDATE child SET note = 'x' WHERE id = NEW.id; END;
