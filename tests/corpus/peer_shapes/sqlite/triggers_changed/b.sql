CREATE TABLE emp (name TEXT, salary INTEGER, stamped TEXT);
CREATE TRIGGER emp_stamp AFTER UPDATE OF salary ON emp WHEN NEW.salary <> OLD.salary BEGIN UPDATE emp SET stamped = datetime('now') WHERE rowid = NEW.rowid; END;
CREATE TRIGGER emp_del AFTER DELETE ON emp BEGIN SELECT 1; END;
