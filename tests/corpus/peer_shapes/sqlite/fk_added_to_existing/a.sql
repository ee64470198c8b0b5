CREATE TABLE parent (id INTEGER PRIMARY KEY);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER, note TEXT);
CREATE INDEX child_parent ON child (parent_id);
CREATE TRIGGER child_note AFTER INSERT ON child BEGIN UPDATE child SET note = 'x' WHERE id = NEW.id; END;
