CREATE TABLE emp (name TEXT, salary INTEGER, stamped TEXT);
CREATE TRIGGER emp_stamp AFTER UPDATE ON emp BEGIN UPDATE emp SET stamped = datetime('now') WHERE rowid = NEW.rowid; END;
